// `npm run bench`: scenarios S1–S7 of issue 6, each figure printed beside a
// peer measured in the same run (BENCHMARKS.md), a final table, and the JSON
// in bench/results/<timestamp>.json (+ latest.json).
import fs from 'node:fs';
import path from 'node:path';
import { loadBenchConfig } from './config';
import type { DeviceSpec } from './load/bench-device';
import { LoadGenerator } from './load/loadgen';
import { type MachineFacts, machineFacts } from './machine';
import { type Provisioned, provision } from './platform/provision';
import { renderTable } from './report/table';
import { pin, stopAllProcesses } from './services/children';
import { startMosquitto } from './services/mosquitto';
import { REPO_ROOT } from './services/paths';
import { ADMIN_PASSWORD, startPlatform } from './services/platform';
import { BenchDatabase } from './services/postgres';
import { runBenchMain } from './services/run-main';
import type { BenchContext, ScenarioResult } from './scenarios/context';
import { runS1 } from './scenarios/s1-ingest';
import { runS2 } from './scenarios/s2-connections';
import { closeAlarmRig } from './scenarios/alert-latency';
import { runS3, runS4 } from './scenarios/s3-s4-alerts';
import { runS5 } from './scenarios/s5-storage';
import { runS6 } from './scenarios/s6-dispatch';
import { runS7 } from './scenarios/s7-fanout';
import { runS8 } from './scenarios/s8-scaling';
import { runS9 } from './scenarios/s9-overload';
import { runFaults } from './scenarios/faults';
import { runReports } from './scenarios/reports';

type Scenario = { id: string; title: string; run: (ctx: BenchContext) => Promise<ScenarioResult> };

// S2 first: it ramps the fleets (fresh platform process) that S1 and the rest then load; S1 before
// S3–S5, which derive their load from its max.
const SCENARIOS: Scenario[] = [
  { id: 'S2', title: 'connections', run: runS2 },
  { id: 'S1', title: 'ingest', run: runS1 },
  { id: 'S3', title: 'alert latency at 50 % load', run: runS3 },
  { id: 'S4', title: 'alert latency at 90 % load + reconnect storm', run: runS4 },
  { id: 'S6', title: 'dispatch', run: runS6 },
  { id: 'S7', title: 'console fan-out', run: runS7 },
  // After the others that share the platform process: its overload may leave the process bloated or dead.
  { id: 'S9', title: 'overload at 1×, 2×, 3× S1 max', run: runS9 },
  // Last: its million raw rows (and the autovacuum they start) must not weigh on the other scenarios.
  { id: 'S5', title: 'storage', run: runS5 },
  // Stops the shared platform (it runs without Redis, so alone on the database) and brings its own processes.
  { id: 'S8', title: 'cost of scaling: one process vs two', run: runS8 },
  // Issue 11 §4: its own two processes, private Redis and proxied database; nothing it does touches the above.
  { id: 'FAULTS', title: 'faults', run: runFaults },
  // Its own database with a year of a district's alerts and orders: touches nothing above.
  { id: 'REPORTS', title: 'supervision reports on one year of a district', run: runReports },
];

const started = performance.now();
function log(line: string): void {
  const t = ((performance.now() - started) / 1000).toFixed(0).padStart(4);
  process.stdout.write(`[${t}s] ${line}\n`);
}

function splitFleet(prov: Provisioned, alarmHomes: number): { background: DeviceSpec[][]; alarms: DeviceSpec[] } {
  const alarms: DeviceSpec[] = [];
  const background = prov.homes.map((home, i) =>
    home.devices.filter((d) => {
      if (i < alarmHomes && d.type === 'sos_button') {
        alarms.push(d);
        return false;
      }
      return true;
    }),
  );
  return { background, alarms };
}

async function main(): Promise<void> {
  const cfg = loadBenchConfig();
  // The bench process itself (alarm presses, console) lives with the generator, off the server core.
  pin(process.pid, cfg.generatorCpus);
  log(`Anxin bench, ${cfg.profile} profile${cfg.profile === 'quick' ? ' (smoke run: figures indicative only)' : ''}`);
  const db = await BenchDatabase.create(cfg.profile);
  benchDb = db;
  const pgVersion = await db.serverVersion();
  const facts = machineFacts({ postgresql: pgVersion, redis: await redisVersion() }, cfg.serverCpus, cfg.generatorCpus);
  log(
    `${facts.cpuModel}, ${facts.cores} cores, Node ${facts.node}, PostgreSQL ${pgVersion}, Mosquitto ${facts.versions.mosquitto}, ${facts.openFileLimit}`,
  );
  const results: ScenarioResult[] = [];
  let gen: LoadGenerator | null = null;
  try {
    const mosquitto = await startMosquitto(cfg.serverCpus);
    log(`provisioning ${cfg.homes} homes (${cfg.homes * 4} devices) through the HTTP API`);
    // Unpinned while provisioning (it is not measured); pinned to the server core from S2 on.
    let platform = await startPlatform(db, { cpus: null, queuePrefix: `bench${Date.now().toString(36)}` });
    const prov = await provision(platform.baseUrl, ADMIN_PASSWORD, {
      homes: cfg.homes,
      caregivers: cfg.caregivers,
      concurrency: cfg.provisionConcurrency,
      log,
    });
    log(
      `provisioned ${prov.requests} API requests in ${(prov.ms / 1000).toFixed(1)} s (${((prov.requests * 1000) / prov.ms).toFixed(0)} req/s)`,
    );
    // A fresh platform process for the measurements: provisioning's heap is not what S2 should see.
    // Same ports: the API client and tokens from provisioning keep working.
    await platform.stop();
    platform = await startPlatform(db, {
      cpus: cfg.serverCpus,
      queuePrefix: `bench${Date.now().toString(36)}`,
      ports: { http: platform.httpPort, mqtt: platform.mqttPort },
    });
    gen = new LoadGenerator(cfg.generatorProcesses, cfg.generatorCpus);
    const { background, alarms } = splitFleet(prov, cfg.alarmHomes);
    let tag = 1;
    const ctx: BenchContext = {
      cfg,
      log,
      db,
      platform,
      mosquitto,
      prov,
      gen,
      background,
      alarms,
      openFleets: new Set(),
      s1Max: cfg.s1MaxOverride,
      s1CpuPerMessage: null,
      s1Rounds: [],
      nextTag: () => tag++,
    };
    for (const scenario of SCENARIOS) {
      if (!cfg.only.has(scenario.id)) continue;
      log(`${scenario.id} ${scenario.title}`);
      const t0 = performance.now();
      try {
        const r = await scenario.run(ctx);
        r.durationsMs.total = performance.now() - t0;
        results.push(r);
      } catch (error) {
        log(`${scenario.id} failed: ${describeError(error)}`);
        if (ctx.platform.proc.exitCode !== null || ctx.platform.proc.signalCode !== null) {
          log(
            `the platform process exited (${ctx.platform.proc.exitCode ?? ctx.platform.proc.signalCode}); its last output:\n${ctx.platform.output().slice(-3000)}`,
          );
        }
        results.push({
          id: scenario.id,
          title: scenario.title,
          status: 'error',
          rows: [],
          notes: [`error: ${(error as Error).message}`],
          durationsMs: { total: performance.now() - t0 },
          details: {},
        });
      }
    }
    await closeAlarmRig(ctx).catch(() => undefined);
    const table = renderTable(results);
    process.stdout.write(`\n${machineBlock(facts)}\n\n${table}\n\n`);
    for (const r of results) if (r.table) process.stdout.write(`${r.table}\n\n`);
    for (const r of results) for (const n of r.notes) process.stdout.write(`${r.id}: ${n}\n`);
    // The platform runs at LOG_LEVEL=warn: whatever it logged is a lead when a figure looks wrong.
    const platformLog = ctx.platform
      .output()
      .split('\n')
      .filter((l) => l.trim().length > 0);
    if (platformLog.length > 0)
      log(`the platform logged ${platformLog.length} warning/error lines (last ones in the JSON, platformLog)`);
    writeResults({
      profile: cfg.profile,
      startedAt: new Date(Date.now() - (performance.now() - started)).toISOString(),
      wallSeconds: Math.round((performance.now() - started) / 1000),
      machine: facts,
      config: cfg,
      provisioning: { requests: prov.requests, ms: prov.ms, homes: prov.homes.length },
      table,
      results,
      platformLog: ctx.platform
        .output()
        .split('\n')
        .filter((l) => l.trim().length > 0)
        .slice(-30),
    });
  } finally {
    if (gen) await gen.stop().catch(() => undefined);
    await stopAllProcesses();
    await db.drop().catch(() => undefined);
  }
}

function machineBlock(f: MachineFacts): string {
  return [
    `Machine: ${f.cpuModel}${f.cpuMHz ? ` @ ${f.cpuMHz} MHz` : ''}, ${f.cores} cores, ${f.memoryGiB} GiB, ${f.kernel}, load average at start ${f.loadAverageAtStart.join(' / ')}`,
    `Node ${f.node}; open files ${f.openFileLimit}; ${f.pinning}`,
    `Peers and libraries: ${Object.entries(f.versions)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
  ].join('\n');
}

function describeError(error: unknown): string {
  const lines: string[] = [];
  for (let e: unknown = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const text = e instanceof Error ? (depth === 0 ? (e.stack ?? e.message) : e.message) : JSON.stringify(e);
    lines.push(depth === 0 ? text : `caused by: ${text} ${(e as { code?: string }).code ?? ''}`);
  }
  return lines.join('\n');
}

async function redisVersion(): Promise<string> {
  try {
    const { Redis } = await import('ioredis');
    const redis = new Redis('redis://127.0.0.1:6379', { lazyConnect: true, maxRetriesPerRequest: 1 });
    await redis.connect();
    const info = await redis.info('server');
    await redis.quit();
    return /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown';
  } catch {
    return 'unavailable';
  }
}

function writeResults(doc: Record<string, unknown>): void {
  const dir = path.join(REPO_ROOT, 'bench/results');
  fs.mkdirSync(dir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const file = path.join(dir, `${stamp}.json`);
  const json = `${JSON.stringify(doc, (_k, v: unknown) => (v instanceof Set ? [...v] : v), 2)}\n`;
  fs.writeFileSync(file, json);
  log(`results: ${path.relative(REPO_ROOT, file)}`);
}

let benchDb: BenchDatabase | null = null;
runBenchMain('bench', main, () => benchDb);

// `npm run build && npx tsc -p bench/tsconfig.build.json && node dist/bench/bench/src/profile-alerts.js`:
// what one SOS press costs on the alert path (S3, S7). A fresh bench database, PROFILE_HOMES homes
// provisioned through the HTTP API, then for each build (A B A B when two are
// given) a fresh platform process on the server core with every SOS button
// connected and one console on `/console`, and one window of PROFILE_RATE
// presses/s for PROFILE_SECONDS going round the buttons (the first press on a
// resident raises its alert, the rest fold into it), with the V8 profiler
// sampling it. Prints CPU-ms per press (platform + its PostgreSQL backends,
// until every press is ruled and delivered), database statements per press
// (counted by a preload wrapping pg's Client#query in the platform process),
// press → alert:raised p50/p99 and the top self-time functions.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { io, type Socket } from 'socket.io-client';
import { systemClock } from '../../devices-sim/src/clock';
import { loadBenchConfig } from './config';
import { AlarmButtons, type Injection } from './load/alarms';
import { CpuProfiler, type ProfileSummary, summarizeProfile } from './measure/cpu-profile';
import { CpuMeter, type CpuSample } from './measure/proc';
import { fmt, fmtSpread, Latency, type Percentiles, spread } from './measure/stats';
import { resolveActiveAlerts } from './platform/alert-cleanup';
import { provision, type Provisioned } from './platform/provision';
import { sleep } from './scenarios/context';
import { freePort, pin, stopAllProcesses } from './services/children';
import { PLATFORM_MAIN, REPO_ROOT } from './services/paths';
import { ADMIN_PASSWORD, type PlatformProcess, startPlatform } from './services/platform';
import { BenchDatabase } from './services/postgres';
import { runBenchMain } from './services/run-main';

interface Build {
  label: string;
  main: string;
}

const num = (name: string, fallback: number): number => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name}: expected a positive number`);
  return value;
};

const opts = {
  homes: num('PROFILE_HOMES', 200),
  rate: num('PROFILE_RATE', 500),
  holdMs: num('PROFILE_SECONDS', 8) * 1000,
  rounds: num('PROFILE_ROUNDS', 1),
  top: num('PROFILE_TOP', 15),
  intervalUs: num('PROFILE_INTERVAL_US', 1_000),
  outDir: path.resolve(REPO_ROOT, process.env.PROFILE_OUT ?? 'bench/results/profiles'),
  builds: parseBuilds(process.env.PROFILE_BUILDS),
};

/** PROFILE_BUILDS="A=dist/before/main.js,B=dist/apps/platform/main.js" (inside the repository, so packages resolve). */
function parseBuilds(spec: string | undefined): Build[] {
  if (!spec) return [{ label: 'dist', main: PLATFORM_MAIN }];
  return spec.split(',').map((entry) => {
    const [label, file] = entry.split('=');
    if (!label || !file)
      throw new Error(`PROFILE_BUILDS: expected label=path/to/main.js, got ${JSON.stringify(entry)}`);
    const main = path.resolve(REPO_ROOT, file);
    if (!fs.existsSync(main)) throw new Error(`PROFILE_BUILDS: ${main} does not exist (build it first)`);
    return { label, main };
  });
}

const started = performance.now();
function log(line: string): void {
  process.stdout.write(`[${((performance.now() - started) / 1000).toFixed(0).padStart(4)}s] ${line}\n`);
}

/*
 * Loaded with `--require` into the platform: counts every statement its pg
 * clients send (BEGIN/COMMIT included: each is a round trip), by text, and
 * writes the counts to a file (at most five times a second).
 */
const QUERY_COUNTER = `
const fs = require('node:fs');
const pg = require(require.resolve('pg', { paths: [${JSON.stringify(REPO_ROOT)}] }));
const out = process.env.PROFILE_QUERY_COUNTS;
const byText = new Map();
let total = 0;
const query = pg.Client.prototype.query;
pg.Client.prototype.query = function (config, ...rest) {
  const text = typeof config === 'string' ? config : config && config.text;
  total += 1;
  const key = String(text).slice(0, 160).replace(/\\s+/g, " ").trim().slice(0, 110);
  byText.set(key, (byText.get(key) || 0) + 1);
  return query.call(this, config, ...rest);
};
let written = -1;
setInterval(() => {
  if (total === written) return;
  written = total;
  fs.writeFileSync(out, JSON.stringify({ total, byText: [...byText] }));
}, 200).unref();
`;

interface QueryCounts {
  total: number;
  byText: [string, number][];
}

function readCounts(file: string): QueryCounts {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as QueryCounts;
  } catch {
    return { total: 0, byText: [] };
  }
}

/** The statements sent between two readings, most frequent first. */
function countsBetween(before: QueryCounts, after: QueryCounts): QueryCounts {
  const was = new Map(before.byText);
  const byText = after.byText
    .map(([text, n]): [string, number] => [text, n - (was.get(text) ?? 0)])
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1]);
  return { total: after.total - before.total, byText };
}

/** A console counting every alert:raised and alert:updated, timing each button's first press to its alert:raised. */
class PressConsole {
  deliveries = 0;
  readonly raisedLatency = new Latency();
  private readonly firstPress = new Map<string, Injection>();
  private readonly socket: Socket;

  constructor(url: string, token: string) {
    this.socket = io(`${url}/console`, { auth: { token }, transports: ['websocket'], forceNew: true });
    this.socket.on('alert:raised', (alert: { deviceId?: string | null }) => {
      this.deliveries += 1;
      const press = alert.deviceId ? this.firstPress.get(alert.deviceId) : undefined;
      if (press) this.raisedLatency.record(systemClock() - press.intendedAt);
    });
    this.socket.on('alert:updated', () => (this.deliveries += 1));
  }

  connected(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.socket.once('alerts:snapshot', () => resolve());
      this.socket.once('connect_error', reject);
    });
  }

  onPress(press: Injection): void {
    if (!this.firstPress.has(press.deviceId)) this.firstPress.set(press.deviceId, press);
  }

  close(): void {
    this.socket.close();
  }
}

/** Each batch of presses has its own seq range: the platform drops a repeated (device, seq) as a duplicate. */
let nextTag = 1;

interface Window {
  build: string;
  round: number;
  presses: number;
  deliveries: number;
  cpu: CpuSample;
  statements: QueryCounts;
  raised: Percentiles;
  summary: ProfileSummary;
  file: string;
}

async function main(): Promise<void> {
  const cfg = loadBenchConfig();
  pin(process.pid, cfg.generatorCpus);
  const db = await BenchDatabase.create('alertprof');
  benchDb = db;
  const counterFile = path.join(os.tmpdir(), `anxin-query-counter-${process.pid}.cjs`);
  fs.writeFileSync(counterFile, QUERY_COUNTER);
  const windows: Window[] = [];
  try {
    log(`provisioning ${opts.homes} homes on ${db.name}`);
    let platform = await startPlatform(db, { cpus: null, queuePrefix: queuePrefix(), main: opts.builds[0]!.main });
    const prov = await provision(platform.baseUrl, ADMIN_PASSWORD, {
      homes: opts.homes,
      caregivers: 1,
      concurrency: cfg.provisionConcurrency,
      log,
    });
    const ports = { http: platform.httpPort, mqtt: platform.mqttPort };
    await platform.stop();
    fs.mkdirSync(opts.outDir, { recursive: true });
    for (let round = 1; round <= opts.rounds; round++) {
      for (const build of opts.builds) {
        const inspectPort = await freePort();
        const countsFile = path.join(os.tmpdir(), `anxin-query-counts-${process.pid}-${build.label}-${round}.json`);
        platform = await startPlatform(db, {
          cpus: cfg.serverCpus,
          queuePrefix: queuePrefix(),
          ports,
          main: build.main,
          env: { PROFILE_QUERY_COUNTS: countsFile },
          nodeArgs: [`--inspect=127.0.0.1:${inspectPort}`, '--require', counterFile],
        });
        try {
          windows.push(await profileWindow(db, platform, prov, build, round, inspectPort, countsFile));
        } finally {
          await platform.stop();
          fs.rmSync(countsFile, { force: true });
        }
      }
    }
    report(windows);
  } finally {
    fs.rmSync(counterFile, { force: true });
    await stopAllProcesses();
    await db.drop().catch(() => undefined);
  }
}

async function profileWindow(
  db: BenchDatabase,
  platform: PlatformProcess,
  prov: Provisioned,
  build: Build,
  round: number,
  inspectPort: number,
  countsFile: string,
): Promise<Window> {
  const specs = prov.homes.flatMap((h) => h.devices.filter((d) => d.type === 'sos_button'));
  const buttons = new AlarmButtons(specs, { host: '127.0.0.1', port: platform.mqttPort, tls: false });
  await buttons.connect();
  const watcher = new PressConsole(platform.baseUrl, prov.admin.accessToken);
  try {
    await watcher.connected();
    // Warm-up (JIT, pools, caches), then every alert closed so the window's first press on each resident raises.
    await buttons.inject(opts.rate, Math.min(opts.rate, specs.length * 2), nextTag++, () => undefined);
    await drained(db, buttons, watcher, 30_000);
    await resolveActiveAlerts(prov.api);
    await sleep(2_000);
    const meter = new CpuMeter({ platform: () => [platform.pid], postgres: () => db.backendPids() });
    const profiler = await CpuProfiler.attach(inspectPort);
    const deliveredBefore = watcher.deliveries;
    const countsBefore = readCounts(countsFile);
    await meter.start();
    await profiler.start(opts.intervalUs);
    const count = Math.round((opts.rate * opts.holdMs) / 1000);
    const presses = await buttons.inject(opts.rate, count, nextTag++, (p) => watcher.onPress(p));
    await drained(db, buttons, watcher, 60_000);
    const profile = await profiler.stop();
    const cpu = await meter.stop();
    await sleep(300); // the counter file is rewritten every 200 ms
    const statements = countsBetween(countsBefore, readCounts(countsFile));
    const file = path.join(opts.outDir, `alerts-${build.label}-r${round}-${Date.now()}.cpuprofile`);
    fs.writeFileSync(file, JSON.stringify(profile));
    const w: Window = {
      build: build.label,
      round,
      presses: presses.length,
      deliveries: watcher.deliveries - deliveredBefore,
      cpu,
      statements,
      raised: watcher.raisedLatency.percentiles(),
      summary: summarizeProfile(profile),
      file,
    };
    log(`${build.label} round ${round}: ${describe(w)}`);
    if (w.deliveries < w.presses)
      log(`  fewer deliveries than presses; the platform's log ends:\n${platform.output().slice(-3_000)}`);
    process.stdout.write(`${topTable(w)}\n  profile: ${path.relative(REPO_ROOT, file)}\n`);
    await resolveActiveAlerts(prov.api);
    return w;
  } finally {
    watcher.close();
    await buttons.close();
  }
}

/** Every press acknowledged and ruled, and the console no longer receiving. */
async function drained(db: BenchDatabase, buttons: AlarmButtons, watcher: PressConsole, maxMs: number): Promise<void> {
  const deadline = performance.now() + maxMs;
  let last = -1;
  while (performance.now() < deadline) {
    const pending = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM device_events WHERE processed_at IS NULL`,
    );
    const quiet = watcher.deliveries === last;
    last = watcher.deliveries;
    if (buttons.outstanding() === 0 && (pending[0]?.n ?? 1) === 0 && quiet) return;
    await sleep(250);
  }
  log(`  not drained within ${maxMs} ms`);
}

function describe(w: Window): string {
  const per = (us: number) => fmt(us / 1000 / Math.max(1, w.presses), 3);
  return (
    `${w.presses} presses → ${w.deliveries} deliveries in ${fmt(w.cpu.wallMs / 1000, 1)} s; ` +
    `${per(w.cpu.total)} CPU-ms per press (platform ${per(w.cpu.byGroup.platform ?? 0)} + PostgreSQL ${per(w.cpu.byGroup.postgres ?? 0)}); ` +
    `${fmt(w.statements.total / Math.max(1, w.presses), 2)} statements per press; ` +
    `press → alert:raised p50 ${fmt(w.raised.p50)} ms, p99 ${fmt(w.raised.p99)} ms`
  );
}

function topTable(w: Window): string {
  const s = w.summary;
  const perPress = (ms: number) => fmt((ms * 1000) / Math.max(1, w.presses), 1);
  return [
    `  busy ${fmt(s.busyMs / 1000, 2)} s of JS thread (${perPress(s.busyMs)} µs/press), idle ${fmt(s.idleMs / 1000, 2)} s`,
    '  | # | self µs/press | share | function | where |',
    '  |---|---:|---:|---|---|',
    ...s.functions
      .slice(0, opts.top)
      .map(
        (f, i) =>
          `  | ${i + 1} | ${perPress(f.selfMs)} | ${fmt(f.share * 100)} % | \`${f.functionName}\` | ${f.location} |`,
      ),
    '  statements per press:',
    ...w.statements.byText
      .slice(0, 12)
      .map(([text, n]) => `    ${fmt(n / Math.max(1, w.presses), 3).padStart(7)}  ${text}`),
  ].join('\n');
}

function report(windows: Window[]): void {
  process.stdout.write('\nPer SOS press (median, min–max over rounds):\n');
  for (const label of new Set(windows.map((w) => w.build))) {
    const mine = windows.filter((w) => w.build === label);
    const per = (f: (w: Window) => number) => fmtSpread(spread(mine.map((w) => f(w) / Math.max(1, w.presses))), 3);
    process.stdout.write(
      `  ${label}: CPU-ms ${per((w) => w.cpu.total / 1000)} (platform ${per((w) => (w.cpu.byGroup.platform ?? 0) / 1000)} + PostgreSQL ${per((w) => (w.cpu.byGroup.postgres ?? 0) / 1000)}); ` +
        `statements ${per((w) => w.statements.total)}; alert:raised p99 ${fmtSpread(spread(mine.map((w) => w.raised.p99 ?? NaN)))} ms\n`,
    );
  }
}

function queuePrefix(): string {
  return `aprof${Date.now().toString(36)}`;
}

let benchDb: BenchDatabase | null = null;
runBenchMain('profile', main, () => benchDb);

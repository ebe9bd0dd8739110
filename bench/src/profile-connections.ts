// `node dist/bench/bench/src/profile-connections.js`: what an idle device
// connection costs the platform and bare aedes (S2's peer), and where the
// difference sits. A fresh bench database, CONN_STAGES × CONN_DEVICES devices
// provisioned through the HTTP API, then per round bare aedes and each
// platform build (A B …) in turn: started with --inspect on the server core,
// CONN_DEVICES devices connected the way S2 connects them (CONNECT with a
// will, SUBSCRIBE to commands, retained online status, keepalive 60 s), then
// CONN_DEVICES more, CONN_STAGES stages in all. Prints RSS and heap per
// connection and, from heap snapshots of the last two stages, the classes of
// live objects the last stage added, per connection, with who holds them.
import fs from 'node:fs';
import path from 'node:path';
import { loadBenchConfig } from './config';
import type { DeviceSpec } from './load/bench-device';
import { LoadGenerator } from './load/loadgen';
import { type AllocationSite, CpuProfiler, summarizeAllocations } from './measure/cpu-profile';
import { type ClassGrowth, classGrowth, type ClassTally, HeapSnapshot } from './measure/heap-snapshot';
import { rssBytes } from './measure/proc';
import { fmt, fmtSpread, spread } from './measure/stats';
import { provision } from './platform/provision';
import { type BenchContext, settle, sleep } from './scenarios/context';
import { type PlatformBuild, platformBuilds } from './services/builds';
import { freePort, pin, stopAllProcesses } from './services/children';
import { REPO_ROOT } from './services/paths';
import { startPeer } from './services/peer';
import { ADMIN_PASSWORD, startPlatform } from './services/platform';
import { BenchDatabase } from './services/postgres';
import { runBenchMain } from './services/run-main';

const num = (name: string, fallback: number): number => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name}: expected a number ≥ 0`);
  return value;
};

const opts = {
  /** Devices per stage, and stages (S2's full profile: 3 stages to 6,600). */
  devices: num('CONN_DEVICES', 1_000),
  stages: Math.max(2, num('CONN_STAGES', 2)),
  rounds: num('CONN_ROUNDS', 1),
  top: num('CONN_TOP', 20),
  /** 0: no heap snapshots (RSS then stays undisturbed over both stages). */
  snapshots: num('CONN_SNAPSHOTS', 1) > 0,
  /** Idle time before the last RSS reading without a forced GC (the baseline gets the same). */
  idleMs: num('CONN_IDLE_SECONDS', 20) * 1000,
  /** `alloc`: sample what the last stage's connects allocate (garbage included) instead of heap snapshots. */
  allocations: process.env.CONN_KIND === 'alloc',
  /** Also write the snapshots (large) to PROFILE_OUT, to open in DevTools. */
  keepSnapshots: num('CONN_KEEP_SNAPSHOTS', 0) > 0,
  outDir: path.resolve(REPO_ROOT, process.env.PROFILE_OUT ?? 'bench/results/profiles'),
  builds: platformBuilds(process.env.PROFILE_BUILDS),
};

const started = performance.now();
function log(line: string): void {
  process.stdout.write(`[${((performance.now() - started) / 1000).toFixed(0).padStart(4)}s] ${line}\n`);
}

/** One reading of a server's memory: as S2 reads it (no GC first), then after a full GC. */
interface Reading {
  connections: number;
  /** Whether the heap figures are after a forced full GC (always at the start and the end). */
  gc: boolean;
  rss: number;
  /** V8's heap as committed before the GC: live objects and garbage not yet collected. */
  heapTotal: number;
  /** The same per heap space (resident bytes). */
  spaces: Record<string, number>;
  heapUsed: number;
  /** Off-heap memory V8 knows of (Buffers' bytes among it). */
  external: number;
  /** RSS after `CONN_IDLE_SECONDS` more without traffic (no GC forced). */
  rssIdle: number;
  rssAfterGc: number;
}

interface Run {
  server: string;
  round: number;
  readings: Reading[];
  failed: number;
  /** Per class, live objects the last stage added (last snapshot − the one before). */
  growth: ClassGrowth[] | null;
  /** Per class, who holds the objects new in snapshot 2. */
  holders: Map<string, [string, number][]>;
  /** CONN_KIND=alloc: what the last stage's connects allocated (garbage included), by function. */
  allocations: { totalBytes: number; sites: AllocationSite[]; modules: AllocationSite[] } | null;
}

interface Target {
  label: string;
  pid: number;
  mqttPort: number;
  inspectPort: number;
  /** Waits until the connects' side effects are done (the platform's database writes). */
  settle(): Promise<void>;
  stop(): Promise<void>;
}

async function main(): Promise<void> {
  const cfg = loadBenchConfig();
  pin(process.pid, cfg.generatorCpus);
  const db = await BenchDatabase.create('conn');
  benchDb = db;
  let gen: LoadGenerator | null = null;
  const runs: Run[] = [];
  try {
    const homes = Math.ceil((opts.stages * opts.devices) / 4);
    log(`provisioning ${homes} homes (${homes * 4} devices) on ${db.name}`);
    const first = await startPlatform(db, { cpus: null, queuePrefix: queuePrefix(), main: opts.builds[0]!.main });
    const prov = await provision(first.baseUrl, ADMIN_PASSWORD, {
      homes,
      caregivers: 1,
      concurrency: cfg.provisionConcurrency,
      log,
    });
    await first.stop();
    const stages = splitStages(
      prov.homes.map((h) => h.devices),
      opts.devices,
      opts.stages,
    );
    gen = new LoadGenerator(cfg.generatorProcesses, cfg.generatorCpus);
    fs.mkdirSync(opts.outDir, { recursive: true });
    const starters: [string, () => Promise<Target>][] = [
      ['aedes', () => startAedes(cfg.serverCpus)],
      ...opts.builds.map((b): [string, () => Promise<Target>] => [b.label, () => startBuild(db, b, cfg.serverCpus)]),
    ];
    for (let round = 1; round <= opts.rounds; round++) {
      for (const [label, start] of starters) {
        const target = await start();
        try {
          runs.push(await measure(gen, target, round, stages, cfg.keepaliveSeconds, cfg.s2.connectConcurrency));
        } finally {
          await gen.close(label);
          await target.stop();
        }
        log(describeRun(runs[runs.length - 1]!));
      }
    }
    report(runs);
  } finally {
    if (gen) await gen.stop().catch(() => undefined);
    await stopAllProcesses();
    await db.drop().catch(() => undefined);
  }
}

/** Whole homes, `perStage` devices (or just over) per stage. */
function splitStages(homes: DeviceSpec[][], perStage: number, count: number): DeviceSpec[][][] {
  const stages: DeviceSpec[][][] = Array.from({ length: count }, () => []);
  let devices = 0;
  for (const home of homes) {
    stages[Math.min(count - 1, Math.floor(devices / perStage))]!.push(home);
    devices += home.length;
  }
  return stages;
}

async function startAedes(cpus: string): Promise<Target> {
  const inspectPort = await freePort();
  const peer = await startPeer('aedes-server', [], cpus, 20_000, [`--inspect=127.0.0.1:${inspectPort}`]);
  return {
    label: 'aedes',
    pid: peer.pid,
    mqttPort: peer.port,
    inspectPort,
    settle: () => sleep(2_000),
    stop: () => peer.stop(),
  };
}

async function startBuild(db: BenchDatabase, build: PlatformBuild, cpus: string): Promise<Target> {
  const inspectPort = await freePort();
  const platform = await startPlatform(db, {
    cpus,
    queuePrefix: queuePrefix(),
    main: build.main,
    nodeArgs: [...build.nodeArgs, `--inspect=127.0.0.1:${inspectPort}`],
  });
  // settle() reads only the platform's pid and the database's backends.
  const ctx = { db, platform } as BenchContext;
  return {
    label: build.label,
    pid: platform.pid,
    mqttPort: platform.mqttPort,
    inspectPort,
    settle: async () => {
      await sleep(2_000);
      await settle(ctx, 30_000);
    },
    stop: () => platform.stop(),
  };
}

async function measure(
  gen: LoadGenerator,
  target: Target,
  round: number,
  stages: DeviceSpec[][][],
  keepaliveSeconds: number,
  concurrency: number,
): Promise<Run> {
  const inspector = await CpuProfiler.attach(target.inspectPort);
  const run: Run = {
    server: target.label,
    round,
    readings: [],
    failed: 0,
    growth: null,
    holders: new Map(),
    allocations: null,
  };
  try {
    await sleep(1_000);
    // A forced GC changes how the heap grows next: only where a figure needs it (S2 forces none).
    const read = async (connections: number, gc: boolean, idleMs = 0): Promise<Reading> => {
      const rss = rssBytes(target.pid) ?? 0; // first, as S2 reads it: before any GC or snapshot of this stage
      const { heapTotal } = await inspector.memoryUsage(false);
      const spaces = await inspector.heapSpaces();
      // Left alone, V8 shrinks what it grew for the ramp (its memory reducer runs once allocation stops).
      await sleep(idleMs);
      const rssIdle = rssBytes(target.pid) ?? 0;
      const mem = await inspector.memoryUsage(gc);
      const rssAfterGc = rssBytes(target.pid) ?? 0;
      return {
        connections,
        gc,
        rss,
        rssIdle,
        heapTotal,
        spaces,
        heapUsed: mem.heapUsed,
        external: mem.external,
        rssAfterGc,
      };
    };
    run.readings.push(await read(0, true, opts.idleMs));
    let connections = 0;
    let before: { ids: Set<number>; classes: Map<string, ClassTally> } | null = null;
    for (const [i, stage] of stages.entries()) {
      const last = i === stages.length - 1;
      if (last && opts.allocations) await inspector.startAllocations();
      const opened = await gen.open(target.label, { host: '127.0.0.1', port: target.mqttPort, tls: false }, stage, {
        keepaliveSeconds,
        statusAndWill: true,
        subscribe: true,
        concurrency,
      });
      connections += opened.connected;
      run.failed += opened.failed + opened.refused;
      if (opened.problems.length > 0) log(`  ${target.label}: e.g. ${opened.problems[0]}`);
      await target.settle();
      // Snapshots of the last two stages: what one more stage of connections adds.
      const snapshot = opts.snapshots && !opts.allocations && i >= stages.length - 2;
      run.readings.push(await read(connections, snapshot || last, last ? opts.idleMs : 0));
      if (last && opts.allocations) run.allocations = summarizeAllocations(await inspector.stopAllocations());
      if (!snapshot) continue;
      const text = await inspector.heapSnapshot();
      if (opts.keepSnapshots) {
        const file = path.join(opts.outDir, `connections-${target.label}-r${round}-${connections}.heapsnapshot`);
        fs.writeFileSync(file, text);
        log(`  snapshot: ${path.relative(REPO_ROOT, file)} (${fmt(text.length / 2 ** 20)} MiB)`);
      }
      const heap = new HeapSnapshot(text);
      if (i === stages.length - 2) {
        before = { ids: heap.ids(), classes: heap.byClass() };
        continue;
      }
      if (!before) continue;
      run.growth = classGrowth(before.classes, heap.byClass());
      const isNew = heap.newNodes(before.ids);
      const topClasses = new Set(run.growth.slice(0, opts.top).map((g) => g.name));
      run.holders = heap.retainersOf(topClasses, isNew);
    }
  } finally {
    inspector.detach();
  }
  return run;
}

const perConn = (bytes: number, connections: number) => (connections > 0 ? bytes / connections : NaN);

/** Bytes per connection over the whole ramp, its first stage and its last. */
function perConnection(run: Run) {
  const [zero, first] = run.readings;
  const [one, two] = run.readings.slice(-2);
  if (!zero || !first || !one || !two || run.readings.length < 3) return null;
  return {
    rssFirst: perConn(first.rss - zero.rss, first.connections),
    rssAll: perConn(two.rss - zero.rss, two.connections),
    rssIdle: perConn(two.rssIdle - zero.rssIdle, two.connections),
    rssAfterGc: perConn(two.rssAfterGc - zero.rssAfterGc, two.connections),
    heapTotal: perConn(two.heapTotal - zero.heapTotal, two.connections),
    heapAll: perConn(two.heapUsed - zero.heapUsed, two.connections),
    heapSecond: one.gc ? perConn(two.heapUsed - one.heapUsed, two.connections - one.connections) : NaN,
    externalAll: perConn(two.external - zero.external, two.connections),
  };
}

function describeRun(run: Run): string {
  const p = perConnection(run);
  const last = run.readings[run.readings.length - 1];
  if (!p || !last) return `${run.server} round ${run.round}: incomplete`;
  return (
    `${run.server} round ${run.round}: ${last.connections} connected (${run.failed} failed), RSS ${fmt(last.rss / 2 ** 20)} MiB; ` +
    `per connection: RSS ${fmt(p.rssAll, 0)} B (first stage ${fmt(p.rssFirst, 0)}), heap ${fmt(p.heapAll, 0)} B ` +
    `(last stage ${fmt(p.heapSecond, 0)}), external ${fmt(p.externalAll, 0)} B`
  );
}

function report(runs: Run[]): void {
  const servers = [...new Set(runs.map((r) => r.server))];
  const figure = (server: string, key: keyof NonNullable<ReturnType<typeof perConnection>>) =>
    spread(
      runs
        .filter((r) => r.server === server)
        .map((r) => perConnection(r)?.[key] ?? NaN)
        .filter(Number.isFinite),
    );
  const out: string[] = [
    '',
    `Bytes per idle connection (median, min–max over ${opts.rounds} round(s); heap after a full GC):`,
    '| server | RSS (S2) | RSS, first stage | RSS idle | RSS after GC | heap committed | heap used | heap used, last stage | external |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...servers.map((s) => {
      const cells = (
        ['rssAll', 'rssFirst', 'rssIdle', 'rssAfterGc', 'heapTotal', 'heapAll', 'heapSecond', 'externalAll'] as const
      ).map((key) => fmtSpread(figure(s, key), 0));
      return `| ${s} | ${cells.join(' | ')} |`;
    }),
    `Whole ramp unless said: RSS as S2 reads it (no GC first), after ${opts.idleMs / 1000} s more without traffic, and after a full GC; heap committed (heapTotal) as S2 reads RSS; heap used and external after the GC. Last stage: only with snapshots (they force a GC at the stage before).`,
  ];
  if (opts.snapshots)
    out.push(
      '(RSS of the last stage: read after the heap snapshot of the stage before, which itself takes memory: CONN_SNAPSHOTS=0 for a clean figure.)',
    );
  out.push('', 'Heap spaces, resident bytes per connection over the whole ramp (as S2 reads RSS, last round):');
  const spaceNames = [...new Set(runs.flatMap((r) => Object.keys(r.readings[0]?.spaces ?? {})))];
  out.push(`| server | ${spaceNames.join(' | ')} |`, `|---|${spaceNames.map(() => '---:').join('|')}|`);
  for (const server of servers) {
    const run = [...runs].reverse().find((r) => r.server === server);
    const [zero, end] = [run?.readings[0], run?.readings[run.readings.length - 1]];
    if (!zero || !end || end.connections === 0) continue;
    const cells = spaceNames.map((n) => fmt(((end.spaces[n] ?? 0) - (zero.spaces[n] ?? 0)) / end.connections, 0));
    out.push(`| ${server} | ${cells.join(' | ')} |`);
  }
  for (const run of runs) {
    if (!run.allocations) continue;
    const n = stageSize(run);
    const perConnBytes = (bytes: number) => fmt(bytes / n, 0);
    out.push(
      '',
      `${run.server} round ${run.round}: allocated by the last ${n} connects, ≈ ${perConnBytes(run.allocations.totalBytes)} B per connection (sampled, garbage included):`,
      '| # | B/conn | share | function | where |',
      '|---|---:|---:|---|---|',
      ...run.allocations.sites
        .slice(0, opts.top)
        .map(
          (site, i) =>
            `| ${i + 1} | ${perConnBytes(site.bytes)} | ${fmt(site.share * 100)} % | \`${site.functionName}\` | ${site.location} |`,
        ),
      '  by module (a built-in counts for its caller):',
      ...run.allocations.modules
        .slice(0, 12)
        .map(
          (m) =>
            `    ${m.functionName.padEnd(34)} ${perConnBytes(m.bytes).padStart(9)} B/conn  ${fmt(m.share * 100).padStart(5)} %`,
        ),
    );
  }
  const last = (server: string) => [...runs].reverse().find((r) => r.server === server && r.growth);
  const aedes = last('aedes');
  for (const server of servers) {
    const run = last(server);
    if (!run?.growth) continue;
    const n = stageSize(run);
    out.push('', `${server}: live objects the last ${n} connections added, per connection (heap snapshots):`);
    out.push(growthTable(run.growth.slice(0, opts.top), n, run.holders));
    if (server === 'aedes' || !aedes?.growth) continue;
    // What the platform holds per connection beyond what aedes holds (per class, per connection).
    const aedesN = stageSize(aedes);
    const aedesBy = new Map(aedes.growth.map((g) => [g.name, g]));
    const beyond = run.growth
      .map((g) => ({
        name: g.name,
        count: g.count / n - (aedesBy.get(g.name)?.count ?? 0) / aedesN,
        bytes: g.bytes / n - (aedesBy.get(g.name)?.bytes ?? 0) / aedesN,
      }))
      .sort((a, b) => b.bytes - a.bytes);
    const total =
      run.growth.reduce((t, g) => t + g.bytes, 0) / n - aedes.growth.reduce((t, g) => t + g.bytes, 0) / aedesN;
    out.push('', `${server} beyond aedes, per connection (${fmt(total, 0)} B of heap in all):`);
    out.push(growthTable(beyond.slice(0, opts.top), 1, run.holders));
  }
  process.stdout.write(`${out.join('\n')}\n`);
}

function stageSize(run: Run): number {
  const [one, two] = run.readings.slice(-2);
  return Math.max(1, (two?.connections ?? 0) - (one?.connections ?? 0));
}

function growthTable(rows: ClassGrowth[], per: number, holders: Map<string, [string, number][]>): string {
  return [
    '| class | objects/conn | bytes/conn | held by (new objects, count) |',
    '|---|---:|---:|---|',
    ...rows.map((g) => {
      const held = (holders.get(g.name) ?? []).map(([k, c]) => `${k} ${c}`).join('; ');
      return `| \`${g.name.replace(/\|/g, '\\|').slice(0, 60)}\` | ${fmt(g.count / per, 2)} | ${fmt(g.bytes / per, 0)} | ${held.replace(/\|/g, '\\|')} |`;
    }),
  ].join('\n');
}

function queuePrefix(): string {
  return `conn${Date.now().toString(36)}`;
}

let benchDb: BenchDatabase | null = null;
runBenchMain('profile', main, () => benchDb);

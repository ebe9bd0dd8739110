// `npm run bench:profile`: where the ingest hot path spends its CPU. A fresh
// bench database, PROFILE_HOMES homes provisioned through the HTTP API, then
// for each build (A B A B when two are given) a fresh platform process on the
// server core, the fleet connected, a warm-up, and one QoS 1 load window at
// PROFILE_RATE msg/s (S1's mix: telemetry plus motion events) with the V8
// profiler sampling it. Prints CPU-µs per message (platform + its PostgreSQL
// backends, as S1 counts them), PUBACK p50/p99, what was committed, and the
// top self-time functions (per window, then per build over its rounds); writes
// each window's .cpuprofile. PROFILE_KIND=alloc samples allocations instead;
// PROFILE_KIND=none runs the window without a profiler, for its stalls alone
// (PUBACK p99.9 and longest, and the platform's event-loop max, printed for
// every window).
import fs from 'node:fs';
import path from 'node:path';
import { loopDelay, observationsAbove, stallsAbove } from '../../devices-sim/src/stats/prometheus-text';
import { loadBenchConfig } from './config';
import { LoadGenerator } from './load/loadgen';
import {
  type AllocationProfile,
  type CpuProfile,
  CpuProfiler,
  type ProfileSummary,
  summarizeAllocations,
  summarizeProfile,
} from './measure/cpu-profile';
import { scrapeMetrics } from './measure/overload-probe';
import { fmt, fmtSpread, spread } from './measure/stats';
import { provision } from './platform/provision';
import { type BenchContext, PLATFORM_FLEET, settle } from './scenarios/context';
import { describeStep, type LoadStep, loadStep } from './scenarios/load-step';
import { freePort, pin, stopAllProcesses } from './services/children';
import { type PlatformBuild, platformBuilds } from './services/builds';
import { REPO_ROOT } from './services/paths';
import { ADMIN_PASSWORD, startPlatform } from './services/platform';
import { BenchDatabase } from './services/postgres';
import { runBenchMain } from './services/run-main';

const num = (name: string, fallback: number): number => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name}: expected a positive number`);
  return value;
};

const opts = {
  homes: num('PROFILE_HOMES', 300),
  rate: num('PROFILE_RATE', 1_500),
  holdMs: num('PROFILE_SECONDS', 20) * 1000,
  rounds: num('PROFILE_ROUNDS', 1),
  top: num('PROFILE_TOP', 15),
  intervalUs: num('PROFILE_INTERVAL_US', 1_000),
  /** `alloc`: sample what the window allocates (bytes per message by function) instead of CPU. */
  allocations: process.env.PROFILE_KIND === 'alloc',
  /** `none`: no profiler attached (a profiler's own pauses would be counted as stalls). */
  profiler: process.env.PROFILE_KIND !== 'none',
  outDir: path.resolve(REPO_ROOT, process.env.PROFILE_OUT ?? 'bench/results/profiles'),
  builds: platformBuilds(process.env.PROFILE_BUILDS),
};

const started = performance.now();
function log(line: string): void {
  process.stdout.write(`[${((performance.now() - started) / 1000).toFixed(0).padStart(4)}s] ${line}\n`);
}

interface Window {
  build: string;
  round: number;
  step: LoadStep;
  summary: ProfileSummary | null;
  file: string;
  loopMaxMs: number | null;
}

async function main(): Promise<void> {
  const cfg = loadBenchConfig();
  // Off the server core, with the load generator (as `npm run bench` does).
  pin(process.pid, cfg.generatorCpus);
  const db = await BenchDatabase.create('prof');
  benchDb = db;
  let gen: LoadGenerator | null = null;
  const windows: Window[] = [];
  try {
    log(`provisioning ${opts.homes} homes (${opts.homes * 4} devices) on ${db.name}`);
    const first = opts.builds[0]!;
    let platform = await startPlatform(db, { cpus: null, queuePrefix: queuePrefix(), main: first.main });
    const prov = await provision(platform.baseUrl, ADMIN_PASSWORD, {
      homes: opts.homes,
      caregivers: 1,
      concurrency: cfg.provisionConcurrency,
      log,
    });
    const ports = { http: platform.httpPort, mqtt: platform.mqttPort };
    await platform.stop();
    gen = new LoadGenerator(cfg.generatorProcesses, cfg.generatorCpus);
    const background = prov.homes.map((h) => h.devices);
    let tag = 1;
    fs.mkdirSync(opts.outDir, { recursive: true });
    for (let round = 1; round <= opts.rounds; round++) {
      for (const build of opts.builds) {
        const inspectPort = await freePort();
        platform = await startPlatform(db, {
          cpus: cfg.serverCpus,
          queuePrefix: queuePrefix(),
          ports,
          main: build.main,
          nodeArgs: [...build.nodeArgs, `--inspect=127.0.0.1:${inspectPort}`],
        });
        // loadStep and settle on the platform touch only these fields (no Mosquitto, no alarms).
        const ctx = {
          cfg,
          log,
          db,
          platform,
          prov,
          gen,
          background,
          alarms: [],
          openFleets: new Set([PLATFORM_FLEET]),
          s1Max: null,
          s1CpuPerMessage: null,
          s1Rounds: [],
          nextTag: () => tag++,
        } as Omit<BenchContext, 'mosquitto'> as BenchContext;
        const window = await profileWindow(ctx, build, round, inspectPort);
        windows.push(window);
        await gen.close(PLATFORM_FLEET);
        await platform.stop();
      }
    }
    report(windows);
  } finally {
    if (gen) await gen.stop().catch(() => undefined);
    await stopAllProcesses();
    await db.drop().catch(() => undefined);
  }
}

async function profileWindow(
  ctx: BenchContext,
  build: PlatformBuild,
  round: number,
  inspectPort: number,
): Promise<Window> {
  const opened = await ctx.gen.open(
    PLATFORM_FLEET,
    { host: '127.0.0.1', port: ctx.platform.mqttPort, tls: false },
    ctx.background,
    {
      keepaliveSeconds: ctx.cfg.keepaliveSeconds,
      statusAndWill: true,
      subscribe: true,
      concurrency: ctx.cfg.s2.connectConcurrency,
    },
  );
  if (opened.failed + opened.refused > 0)
    log(`  ${opened.failed} failed, ${opened.refused} refused, e.g. ${opened.problems[0] ?? ''}`);
  await settle(ctx, 20_000);
  const warm = await loadStep(ctx, 'platform', opts.rate, { holdMs: 3_000, checkOrder: false });
  log(`${build.label} round ${round} warm-up: ${describeStep(warm)}`);
  await settle(ctx, 15_000);
  const metricsBefore = await scrapeMetrics(ctx.platform.baseUrl).catch(() => null);
  const hold = () => loadStep(ctx, 'platform', opts.rate, { holdMs: opts.holdMs, checkOrder: false });
  let profile: CpuProfile | AllocationProfile | null = null;
  let step: LoadStep;
  if (!opts.profiler) {
    step = await hold();
  } else if (opts.allocations) {
    const profiler = await CpuProfiler.attach(inspectPort);
    await profiler.startAllocations();
    step = await hold();
    profile = await profiler.stopAllocations();
  } else {
    const profiler = await CpuProfiler.attach(inspectPort);
    await profiler.start(opts.intervalUs);
    step = await hold();
    profile = await profiler.stop();
  }
  // The delay gauges cover the time since the previous scrape: this window.
  const metricsAfter = metricsBefore ? await scrapeMetrics(ctx.platform.baseUrl) : null;
  const loop = metricsAfter ? loopDelay(metricsAfter) : null;
  const stalls = (le: string) => {
    const above = metricsAfter ? stallsAbove(metricsBefore, metricsAfter, le) : null;
    return above?.exported ? `${above.busy} / ${above.offCpu}` : '—';
  };
  // Telemetry batches whose oldest reading waited (in line, then committing) past each bound.
  const storedAbove = (le: string) =>
    metricsAfter ? observationsAbove(metricsBefore, metricsAfter, 'anxin_telemetry_stored_seconds', le) : null;
  log(`${build.label} round ${round}: ${describeStep(step)}`);
  log(
    `${build.label} round ${round} stalls: PUBACK p99.9 ${fmt(step.latency.p999)} / longest ${fmt(step.latency.max)} ms; event-loop p99 ${fmt(loop?.p99Ms ?? NaN)} / max ${fmt(loop?.maxMs ?? NaN)} ms, stalls (busy / off the CPU) > 50 ms ${stalls('0.05')}, > 100 ms ${stalls('0.1')}; batches stored > 50 / 100 / 200 ms after receipt: ${storedAbove('0.05')} / ${storedAbove('0.1')} / ${storedAbove('0.2')}; generator loop max ${fmt(step.generatorLoopDelayMaxMs)} ms`,
  );
  const loopMaxMs = loop?.maxMs ?? null;
  if (!profile) return { build: build.label, round, step, summary: null, file: '', loopMaxMs };
  const suffix = opts.allocations ? 'heapprofile' : 'cpuprofile';
  const file = path.join(opts.outDir, `ingest-${build.label}-r${round}-${Date.now()}.${suffix}`);
  fs.writeFileSync(file, JSON.stringify(profile));
  let summary: ProfileSummary | null = null;
  if ('head' in profile) {
    process.stdout.write(allocationTable(profile, step, opts.top));
  } else {
    summary = summarizeProfile(profile);
    process.stdout.write(topTable(summary, step, opts.top));
  }
  process.stdout.write(`\n  profile: ${path.relative(REPO_ROOT, file)}\n`);
  return { build: build.label, round, step, summary, file, loopMaxMs };
}

/** Bytes allocated per message by function over the window. */
function allocationTable(profile: AllocationProfile, step: LoadStep, top: number): string {
  const { totalBytes, sites } = summarizeAllocations(profile);
  const perMsg = (bytes: number) => fmt(bytes / Math.max(1, step.sent), 0);
  return [
    `  allocated ≈ ${perMsg(totalBytes)} B/msg (sampled)`,
    '  | # | B/msg | share | function | where |',
    '  |---|---:|---:|---|---|',
    ...sites
      .slice(0, top)
      .map(
        (s, i) =>
          `  | ${i + 1} | ${perMsg(s.bytes)} | ${fmt(s.share * 100)} % | \`${s.functionName}\` | ${s.location} |`,
      ),
  ].join('\n');
}

/** Self time per function and µs of it per message of the window(s). */
function topTable(s: ProfileSummary, step: Pick<LoadStep, 'sent'>, top: number): string {
  const perMsg = (ms: number) => fmt((ms * 1000) / Math.max(1, step.sent), 2);
  const lines = [
    `  busy ${fmt(s.busyMs / 1000, 2)} s of JS thread (${perMsg(s.busyMs)} µs/msg), idle ${fmt(s.idleMs / 1000, 2)} s`,
    '  | # | self µs/msg | share | function | where |',
    '  |---|---:|---:|---|---|',
    ...s.functions
      .slice(0, top)
      .map(
        (f, i) =>
          `  | ${i + 1} | ${perMsg(f.selfMs)} | ${fmt(f.share * 100)} % | \`${f.functionName}\` | ${f.location} |`,
      ),
    '  by module:',
    ...s.modules
      .slice(0, 10)
      .map(
        (m) =>
          `    ${m.functionName.padEnd(34)} ${perMsg(m.selfMs).padStart(7)} µs/msg  ${fmt(m.share * 100).padStart(5)} %`,
      ),
  ];
  return lines.join('\n');
}

/** One summary of several windows of the same build: self times added up, shares recomputed. */
function mergeSummaries(summaries: ProfileSummary[]): ProfileSummary {
  const merge = (lists: ProfileSummary['functions'][]) => {
    const byKey = new Map<string, ProfileSummary['functions'][number]>();
    for (const f of lists.flat()) {
      const key = `${f.functionName} ${f.location}`;
      const entry = byKey.get(key) ?? { ...f, selfMs: 0 };
      entry.selfMs += f.selfMs;
      byKey.set(key, entry);
    }
    const busyMs = [...byKey.values()].reduce((n, f) => n + f.selfMs, 0);
    return [...byKey.values()]
      .map((f) => ({ ...f, share: busyMs > 0 ? f.selfMs / busyMs : 0 }))
      .sort((a, b) => b.selfMs - a.selfMs);
  };
  return {
    busyMs: summaries.reduce((n, s) => n + s.busyMs, 0),
    idleMs: summaries.reduce((n, s) => n + s.idleMs, 0),
    functions: merge(summaries.map((s) => s.functions)),
    modules: merge(summaries.map((s) => s.modules)),
  };
}

function report(windows: Window[]): void {
  for (const label of new Set(windows.map((w) => w.build))) {
    const profiled = windows.filter((w) => w.build === label && w.summary);
    if (profiled.length < 2) continue;
    const sent = profiled.reduce((n, w) => n + w.step.sent, 0);
    process.stdout.write(`\n${label}, all ${profiled.length} windows:\n`);
    process.stdout.write(`${topTable(mergeSummaries(profiled.map((w) => w.summary!)), { sent }, opts.top)}\n`);
  }
  process.stdout.write('\nCPU-µs per message (median, min–max over rounds):\n');
  for (const label of new Set(windows.map((w) => w.build))) {
    const mine = windows.filter((w) => w.build === label).map((w) => w.step);
    const per = (group: string) => spread(mine.map((s) => (s.cpu.byGroup[group] ?? 0) / Math.max(1, s.sent)));
    const p99 = spread(mine.map((s) => s.latency.p99 ?? NaN));
    const p999 = spread(mine.map((s) => s.latency.p999 ?? NaN));
    const longest = spread(mine.map((s) => s.latency.max ?? NaN));
    const loopMax = spread(windows.filter((w) => w.build === label).map((w) => w.loopMaxMs ?? NaN));
    const busy = spread(
      windows
        .filter((w) => w.build === label && w.summary)
        .map((w) => (w.summary!.busyMs * 1000) / Math.max(1, w.step.sent)),
    );
    process.stdout.write(
      `  ${label}: total ${fmtSpread(spread(mine.map((s) => s.cpuPerMessage)))} = platform ${fmtSpread(per('platform'))} + PostgreSQL ${fmtSpread(per('postgres'))}; JS thread busy ${fmtSpread(busy)}; PUBACK p99 ${fmtSpread(p99)} / p99.9 ${fmtSpread(p999)} / longest ${fmtSpread(longest)} ms; event-loop max ${fmtSpread(loopMax)} ms; ${mine.filter((s) => s.pass).length}/${mine.length} windows passed\n`,
    );
  }
}

function queuePrefix(): string {
  return `prof${Date.now().toString(36)}`;
}

let benchDb: BenchDatabase | null = null;
runBenchMain('profile', main, () => benchDb);

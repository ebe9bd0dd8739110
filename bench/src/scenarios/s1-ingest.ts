// S1 ingest: N devices × 1 msg/s, QoS 1 telemetry plus motion events, rules
// and persistence on. The highest rate held with 0 loss, every message
// committed and PUBACK p99 < 100 ms: step ×1.25 until a step fails, then
// bisect. Then A B rounds at that rate: server CPU-µs per message, platform
// (+ its PostgreSQL backends) ÷ Mosquitto at the same load. Last, one long
// hold at that rate for each: p99.9, the longest PUBACK wait and the
// platform's longest event-loop stall.
import { loopDelay, observationsAbove, stallsAbove } from '../../../devices-sim/src/stats/prometheus-text';
import { scrapeMetrics } from '../measure/overload-probe';
import { fmt, fmtSpread, spread } from '../measure/stats';
import {
  backgroundCount,
  type BenchContext,
  ensureFleets,
  newResult,
  PLATFORM_FLEET,
  type ScenarioResult,
  settle,
} from './context';
import { describeStep, type LoadStep, loadStep } from './load-step';

const TELEMETRY_COMMIT_METRIC = 'anxin_telemetry_commit_seconds';
const TELEMETRY_STORED_METRIC = 'anxin_telemetry_stored_seconds';

export async function runS1(ctx: BenchContext): Promise<ScenarioResult> {
  const result = newResult('S1', 'Ingest: max sustained committed msg/s, server CPU per message');
  const { s1 } = ctx.cfg;
  const steps: LoadStep[] = [];
  const cap = backgroundCount(ctx) * s1.maxPerDeviceRate;

  await ensureFleets(ctx);
  ctx.log('  warm-up: 500 msg/s for 3 s');
  const warm = await loadStep(ctx, 'platform', 500, { holdMs: 3_000, checkOrder: false });
  ctx.log(`  ${describeStep(warm)}`);
  result.details.warmup = warm;

  const tryRate = async (rate: number): Promise<LoadStep> => {
    const step = await loadStep(ctx, 'platform', rate, { holdMs: s1.holdMs });
    steps.push(step);
    ctx.log(`  ${describeStep(step)}`);
    if (!step.pass) {
      // An overloaded step leaves a backlog; the next one starts from a quiet platform.
      await ctx.gen.drain(PLATFORM_FLEET, 30_000);
    }
    await settle(ctx, 15_000);
    return step;
  };

  let lastPass: number | null = null;
  let firstFail: number | null = null;
  let rate = s1.startRate;
  for (;;) {
    const step = await tryRate(rate);
    if (step.pass) {
      lastPass = rate;
      if (rate >= cap) break;
      rate = Math.min(cap, Math.round(rate * 1.25));
    } else {
      firstFail = rate;
      break;
    }
  }
  // Failed at the start rate: step down instead.
  for (let i = 0; lastPass === null && i < 5; i++) {
    rate = Math.round((firstFail ?? rate) / 1.25);
    const step = await tryRate(rate);
    if (step.pass) lastPass = rate;
    else firstFail = rate;
  }
  for (
    let i = 0;
    i < s1.bisections && lastPass !== null && firstFail !== null && firstFail - lastPass > lastPass * 0.04;
    i++
  ) {
    const mid = Math.round((lastPass + firstFail) / 2);
    const step = await tryRate(mid);
    if (step.pass) lastPass = mid;
    else firstFail = mid;
  }
  ctx.s1Max = lastPass;
  result.details.steps = steps;
  result.details.maxSustained = lastPass;
  result.details.firstFailingRate = firstFail;
  if (lastPass === null) {
    result.status = 'error';
    result.notes.push('no rate passed, even after stepping down');
    return result;
  }

  ctx.log(`  A B rounds at ${lastPass} msg/s (Mosquitto, then platform)`);
  const rounds: { mosquitto: LoadStep; platform: LoadStep }[] = [];
  for (let r = 0; r < s1.abRounds; r++) {
    const mosquitto = await loadStep(ctx, 'mosquitto', lastPass, { holdMs: s1.abHoldMs });
    ctx.log(`  ${describeStep(mosquitto)}`);
    const platform = await loadStep(ctx, 'platform', lastPass, { holdMs: s1.abHoldMs });
    ctx.log(`  ${describeStep(platform)}`);
    rounds.push({ mosquitto, platform });
    await settle(ctx, 10_000);
  }
  result.details.abRounds = rounds;
  ctx.s1Rounds = rounds.map((r) => r.platform);
  const cpuRatio = spread(rounds.map((r) => r.platform.cpuPerMessage / r.mosquitto.cpuPerMessage));
  const platformCpu = spread(rounds.map((r) => r.platform.cpuPerMessage));
  const mosquittoCpu = spread(rounds.map((r) => r.mosquitto.cpuPerMessage));
  const pgShare = spread(rounds.map((r) => (r.platform.cpu.byGroup.postgres ?? 0) / Math.max(1, r.platform.sent)));
  ctx.s1CpuPerMessage = platformCpu?.median ?? null;
  const heldRounds = rounds.filter((r) => r.platform.pass).length;
  const p99 = spread(rounds.map((r) => r.platform.latency.p99 ?? NaN));
  const p50 = spread(rounds.map((r) => r.platform.latency.p50 ?? NaN));
  const mp99 = spread(rounds.map((r) => r.mosquitto.latency.p99 ?? NaN));
  const mp50 = spread(rounds.map((r) => r.mosquitto.latency.p50 ?? NaN));
  const latencyRatio = spread(rounds.map((r) => (r.platform.latency.p99 ?? NaN) / (r.mosquitto.latency.p99 ?? NaN)));
  const goalRate = 10_000;
  result.rows.push({
    scenario: 'S1',
    figure: `max sustained committed msg/s (0 loss, PUBACK p99 < ${ctx.cfg.p99LimitMs} ms, ${fmt(s1.holdMs / 1000, 0)} s holds)`,
    // The search's last pass, and how many of the A/B rounds at that rate held it again (noise check).
    anxin: `${fmt(lastPass, 0)} msg/s (held in ${heldRounds}/${rounds.length} A/B rounds)`,
    peer: 'ThingsBoard ≈ 1,020 (published, not run here)',
    peerName: 'ThingsBoard (published)',
    ratio: spread([lastPass / 1020]),
    goal: '≥ 10,000 msg/s',
    verdict:
      lastPass >= goalRate
        ? 'met'
        : `MISSED: ${fmt((lastPass / goalRate) * 100, 0)} % of goal (${fmt(goalRate - lastPass, 0)} msg/s short)`,
  });
  const cpuGoal = 5;
  const ratio = cpuRatio?.median ?? NaN;
  result.rows.push({
    scenario: 'S1',
    figure: `server CPU-µs per message at ${fmt(lastPass, 0)} msg/s (platform + PostgreSQL)`,
    anxin: `${fmtSpread(platformCpu)} µs (PG ${fmt(pgShare?.median)})`,
    peer: `${fmtSpread(mosquittoCpu)} µs`,
    peerName: 'Mosquitto 2.0',
    ratio: cpuRatio,
    goal: '≤ 5× Mosquitto',
    verdict: ratio <= cpuGoal ? 'met' : `MISSED: ${fmt(ratio)}× (${fmt(ratio / cpuGoal)}× over the goal)`,
  });
  result.rows.push({
    scenario: 'S1',
    figure: `PUBACK latency p50 / p99 at ${fmt(lastPass, 0)} msg/s (from intended send)`,
    anxin: `${fmtSpread(p50)} / ${fmtSpread(p99)} ms`,
    peer: `${fmtSpread(mp50)} / ${fmtSpread(mp99)} ms`,
    peerName: 'Mosquitto 2.0',
    ratio: latencyRatio,
    goal: 'p99 < 100 ms',
    verdict: `${(p99?.median ?? Infinity) < 100 ? 'met' : `MISSED: p99 ${fmt(p99?.median)} ms`}; ${heldRounds}/${rounds.length} rounds held`,
  });
  // BENCHMARKS.md's strict bound, at the lowest load tried.
  const strict = [warm, ...steps].filter((s) => s.pass && (s.latency.p99 ?? Infinity) < 100);
  result.details.strictMax = strict.length > 0 ? Math.max(...strict.map((s) => s.rate)) : null;
  if (strict.length === 0 && ctx.cfg.p99LimitMs > 100) {
    result.notes.push(
      `With BENCHMARKS.md's strict PUBACK p99 < 100 ms no rate passes: at ${warm.rate} msg/s p50 is ${fmt(warm.latency.p50)} ms and p99 ${fmt(warm.latency.p99)} ms, because a telemetry PUBACK waits for its batch to commit (ANXIN_TELEMETRY_FLUSH_MS). The search above allows p99 < ${ctx.cfg.p99LimitMs} ms.`,
    );
  }
  await longHold(ctx, lastPass, result);
  const first = rounds[0]?.platform;
  const failing = steps.find((s) => !s.pass && s.rate === firstFail) ?? steps.find((s) => !s.pass);
  const util = (group: string) =>
    spread(rounds.map((r) => ((r.platform.cpu.byGroup[group] ?? 0) / (r.platform.cpu.wallMs * 1000)) * 100));
  result.notes.push(
    `At the max rate the platform process used ${fmtSpread(util('platform'), 0, ' %')} of a core and its PostgreSQL backends ${fmtSpread(util('postgres'), 0, ' %')} (the generator, PostgreSQL and other people's work share the two cores).${failing ? ` The lowest failing rate (${fmt(failing.rate, 0)} msg/s) failed on: ${failing.why.join('; ')}.` : ''}`,
  );
  result.notes.push(
    `Load: ${first?.active ?? 0} devices × ${fmt(first?.ratePerDevice ?? 1, 2)} msg/s, QoS 1, ${fmt(first?.payloadBytes ?? 0, 0)} B mean payload, ${fmt(((first?.eventsSent ?? 0) / Math.max(1, first?.sent ?? 1)) * 100, 2)} % events (motion) and the rest telemetry of mattresses, wearables, SOS buttons and motion sensors.`,
    `Holds of ${fmt(s1.holdMs / 1000, 0)} s per search step and ${fmt(s1.abHoldMs / 1000, 0)} s per A/B round (shortened to fit the budget), then one hold of ${fmt(s1.longHoldMs / 1000, 0)} s each at the max (BENCHMARKS.md's 60 s).`,
    'Mosquitto has no subscriber here: its figure is receive + PUBACK, the floor of the broker hop; the platform also validates, runs rules and commits every message before PUBACK.',
    `Generator CPU ≈ ${fmt(first?.generatorCpuPerMessage ?? NaN)} µs/msg on its own core (not counted as server CPU).`,
  );
  return result;
}

/**
 * BENCHMARKS.md's hold at the max (issue 13: p99.9 and the longest stall, none
 * over 100 ms): Mosquitto, then the platform, each for `longHoldMs`. The
 * platform's event-loop max comes from GET /metrics, whose delay gauges cover
 * the time since the previous scrape.
 */
async function longHold(ctx: BenchContext, rate: number, result: ScenarioResult): Promise<void> {
  const { longHoldMs } = ctx.cfg.s1;
  ctx.log(`  long hold: ${fmt(rate, 0)} msg/s for ${fmt(longHoldMs / 1000, 0)} s (Mosquitto, then platform)`);
  const mosquitto = await loadStep(ctx, 'mosquitto', rate, { holdMs: longHoldMs });
  ctx.log(`  ${describeStep(mosquitto)}`);
  const before = await scrapeMetrics(ctx.platform.baseUrl).catch(() => null);
  const platform = await loadStep(ctx, 'platform', rate, { holdMs: longHoldMs });
  ctx.log(`  ${describeStep(platform)}`);
  const after = before ? await scrapeMetrics(ctx.platform.baseUrl).catch(() => null) : null;
  const loop = after ? loopDelay(after) : null;
  // Where a stall comes from: the event loop (above), or a telemetry commit every queued reading waits for.
  const slowCommits = after ? observationsAbove(before, after, TELEMETRY_COMMIT_METRIC, '0.1') : null;
  // … or the wait in the writer's line before the commit; and the generator's own loop, for a stall outside both.
  const slowStored = after ? observationsAbove(before, after, TELEMETRY_STORED_METRIC, '0.1') : null;
  const generatorLoop = platform.generatorLoopDelayMaxMs;
  // Event-loop stalls over 100 ms: the platform working, or off the CPU (the shared machine's scheduler).
  const stalls = after ? stallsAbove(before, after, '0.1') : null;
  result.details.longHold = {
    mosquitto,
    platform,
    loopDelay: loop,
    telemetryCommitsOver100Ms: slowCommits,
    telemetryBatchesStoredOver100Ms: slowStored,
    loopStallsOver100Ms: stalls,
    generatorLoopDelayMaxMs: { mosquitto: mosquitto.generatorLoopDelayMaxMs, platform: generatorLoop },
  };
  await settle(ctx, 10_000);
  const tail = (s: LoadStep) => `${fmt(s.latency.p99)} / ${fmt(s.latency.p999)} / ${fmt(s.latency.max)} ms`;
  const longest = Math.max(platform.latency.max ?? Infinity, loop?.maxMs ?? Infinity);
  result.rows.push({
    scenario: 'S1',
    figure: `${fmt(longHoldMs / 1000, 0)} s hold at ${fmt(rate, 0)} msg/s: PUBACK p99 / p99.9 / longest; event-loop max, stalls > 100 ms busy / off the CPU; telemetry batches committed over 100 ms / stored over 100 ms after receipt; generator loop max`,
    anxin: `${tail(platform)}; loop ${loop?.maxMs === null || !loop ? '—' : fmt(loop.maxMs)} ms, stalls ${stalls?.exported ? `${stalls.busy} / ${stalls.offCpu}` : '—'}; batches > 100 ms: ${slowCommits ?? '—'} / ${slowStored ?? '—'}; generator loop ${fmt(generatorLoop)} ms${platform.pass ? '' : ` (${platform.why.join('; ')})`}`,
    peer: `${tail(mosquitto)}; generator loop ${fmt(mosquitto.generatorLoopDelayMaxMs)} ms`,
    peerName: 'Mosquitto 2.0',
    ratio: spread([(platform.latency.p999 ?? NaN) / (mosquitto.latency.p999 ?? NaN)]),
    goal: 'no stall over 100 ms',
    verdict: longest <= 100 ? 'met' : `MISSED: longest ${fmt(longest)} ms`,
  });
}

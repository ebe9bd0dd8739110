// One open-loop load window on the platform or on Mosquitto: the generator's
// counts and PUBACK latencies, the server CPU over the window, and for the
// platform what was committed (rows per seq range: loss, duplicates, reordering).
import { SEQ_SPAN } from '../load/bench-device';
import type { RunResult } from '../load/loadgen';
import { CpuMeter, type CpuSample } from '../measure/proc';
import { fmt, type Percentiles } from '../measure/stats';
import { type BenchContext, MOSQUITTO_FLEET, PLATFORM_FLEET, platformMeter } from './context';

export type Target = 'platform' | 'mosquitto';

export interface Committed {
  telemetryRows: number;
  telemetryDistinct: number;
  eventRows: number;
  lost: number;
  duplicates: number;
  reordered: number;
  ms: number;
}

export interface LoadStep {
  target: Target;
  /** The seq range (tag) and start time of this window, to count its rows again later. */
  tag: number;
  since: string;
  rate: number;
  active: number;
  ratePerDevice: number;
  holdMs: number;
  sent: number;
  telemetrySent: number;
  eventsSent: number;
  achievedPerSecond: number;
  pubacks: number;
  outstanding: number;
  notSent: number;
  reconnects: number;
  retransmits: number;
  lateSlots: number;
  generatorLoopDelayMaxMs: number;
  payloadBytes: number;
  latency: Percentiles;
  cpu: CpuSample;
  /** Server CPU-µs per message (platform + its PostgreSQL backends, or Mosquitto). */
  cpuPerMessage: number;
  generatorCpuPerMessage: number;
  committed: Committed | null;
  pass: boolean;
  why: string[];
}

export interface StepWindow {
  tag: number;
  since: Date;
}

export interface StepOptions {
  holdMs: number;
  drainMs?: number;
  /** Runs while the load is on (alarm injection, probes), told the window's seq range and start. */
  during?: (window: StepWindow) => Promise<unknown>;
  storm?: { count: number; atMs: number };
  /** Skip the reordering query (it sorts the window's rows). */
  checkOrder?: boolean;
}

export async function countCommitted(
  ctx: BenchContext,
  tag: number,
  since: Date,
  checkOrder: boolean,
): Promise<Committed> {
  const started = performance.now();
  const lo = tag * SEQ_SPAN;
  const hi = (tag + 1) * SEQ_SPAN;
  // received_at narrows the scan through the BRIN index; the seq range is this window's own.
  const [t] = await ctx.db.query<{ rows: number; distinct: number }>(
    `SELECT count(*)::int AS rows, count(DISTINCT (device_id, seq))::int AS distinct
     FROM telemetry WHERE received_at >= $1 AND seq >= $2 AND seq < $3`,
    [since, lo, hi],
  );
  const [e] = await ctx.db.query<{ rows: number }>(
    `SELECT count(*)::int AS rows FROM device_events WHERE received_at >= $1 AND seq >= $2 AND seq < $3`,
    [since, lo, hi],
  );
  let reordered = 0;
  if (checkOrder) {
    // A row whose seq is below one the same device had stored before it (by receive time; rows
    // received in the same millisecond are taken in seq order, so only a real inversion counts).
    const [o] = await ctx.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM (
         SELECT seq < max(seq) OVER (PARTITION BY device_id ORDER BY received_at, seq ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS behind
         FROM telemetry WHERE received_at >= $1 AND seq >= $2 AND seq < $3) w
       WHERE behind`,
      [since, lo, hi],
    );
    reordered = o?.n ?? 0;
  }
  const telemetryRows = t?.rows ?? 0;
  const telemetryDistinct = t?.distinct ?? 0;
  return {
    telemetryRows,
    telemetryDistinct,
    eventRows: e?.rows ?? 0,
    lost: 0,
    duplicates: telemetryRows - telemetryDistinct,
    reordered,
    ms: performance.now() - started,
  };
}

/** Rows of a window's seq range committed so far (telemetry + events, a redelivered duplicate included). */
export async function countRows(ctx: BenchContext, window: StepWindow): Promise<number> {
  const [r] = await ctx.db.query<{ rows: number }>(
    `SELECT (SELECT count(*) FROM telemetry WHERE received_at >= $1 AND seq >= $2 AND seq < $3)::int
          + (SELECT count(*) FROM device_events WHERE received_at >= $1 AND seq >= $2 AND seq < $3)::int AS rows`,
    [window.since, window.tag * SEQ_SPAN, (window.tag + 1) * SEQ_SPAN],
  );
  return r?.rows ?? 0;
}

export async function loadStep(ctx: BenchContext, target: Target, rate: number, opts: StepOptions): Promise<LoadStep> {
  const fleet = target === 'platform' ? PLATFORM_FLEET : MOSQUITTO_FLEET;
  const pool = ctx.gen.size(fleet);
  const active = Math.max(1, Math.min(pool, Math.round(rate)));
  const ratePerDevice = Math.min(ctx.cfg.s1.maxPerDeviceRate, rate / active);
  const tag = ctx.nextTag();
  const meter = target === 'platform' ? platformMeter(ctx) : new CpuMeter({ mosquitto: () => [ctx.mosquitto.pid] });
  // The DB clock and ours share the host; a second of slack covers rounding.
  const since = new Date(Date.now() - 1_000);
  await meter.start();
  const [run] = await Promise.all([
    ctx.gen.run(fleet, {
      active,
      ratePerDevice,
      durationMs: opts.holdMs,
      eventEvery: ctx.cfg.eventEvery,
      tag,
      drainMs: opts.drainMs ?? ctx.cfg.s1.drainMs,
      ...(opts.storm ? { storm: opts.storm } : {}),
    }),
    opts.during?.({ tag, since }),
  ]);
  const cpu = await meter.stop();
  return evaluate(ctx, target, rate, active, ratePerDevice, opts, run, cpu, tag, since);
}

async function evaluate(
  ctx: BenchContext,
  target: Target,
  rate: number,
  active: number,
  ratePerDevice: number,
  opts: StepOptions,
  run: RunResult,
  cpu: CpuSample,
  tag: number,
  since: Date,
): Promise<LoadStep> {
  const sent = run.telemetrySent + run.eventsSent;
  const latency = run.latency.percentiles();
  const why: string[] = [];
  let committed: Committed | null = null;
  if (target === 'platform') {
    committed = await countCommitted(ctx, tag, since, opts.checkOrder ?? true);
    committed.lost =
      Math.max(0, run.telemetrySent - committed.telemetryDistinct) + Math.max(0, run.eventsSent - committed.eventRows);
    if (committed.lost > 0) why.push(`${committed.lost} messages not committed`);
  }
  if (run.outstanding > 0) why.push(`${run.outstanding} QoS 1 without PUBACK after drain`);
  if (run.notSent > 0) why.push(`${run.notSent} could not be sent (in-flight window full)`);
  const expected = (rate * opts.holdMs) / 1000;
  if (sent < expected * 0.98) why.push(`generator sent only ${sent} of ${Math.round(expected)}`);
  if ((latency.p99 ?? Infinity) >= ctx.cfg.p99LimitMs)
    why.push(`PUBACK p99 ${fmt(latency.p99)} ms ≥ ${ctx.cfg.p99LimitMs} ms`);
  return {
    target,
    tag,
    since: since.toISOString(),
    rate,
    active,
    ratePerDevice,
    holdMs: opts.holdMs,
    sent,
    telemetrySent: run.telemetrySent,
    eventsSent: run.eventsSent,
    achievedPerSecond: (sent * 1000) / opts.holdMs,
    pubacks: run.pubacks,
    outstanding: run.outstanding,
    notSent: run.notSent,
    reconnects: run.reconnects,
    retransmits: run.retransmits,
    lateSlots: run.lateSlots,
    generatorLoopDelayMaxMs: run.generatorLoopDelayMaxMs,
    payloadBytes: run.payloadBytes,
    latency,
    cpu,
    cpuPerMessage: sent > 0 ? cpu.total / sent : NaN,
    generatorCpuPerMessage: sent > 0 ? run.generatorCpuMicros / sent : NaN,
    committed,
    pass: why.length === 0,
    why,
  };
}

export function describeStep(s: LoadStep): string {
  const c = s.committed
    ? `, committed ${s.committed.telemetryDistinct + s.committed.eventRows}/${s.sent}, dup ${s.committed.duplicates}, reordered ${s.committed.reordered}`
    : '';
  const parts = Object.entries(s.cpu.byGroup)
    .map(([k, v]) => `${k} ${fmt(v / Math.max(1, s.sent))}`)
    .join(' + ');
  return `${s.target} ${fmt(s.rate, 0)} msg/s (${s.active} devices × ${fmt(s.ratePerDevice, 2)}/s): sent ${s.sent}, PUBACK p50 ${fmt(s.latency.p50)} / p99 ${fmt(s.latency.p99)} ms, ${fmt(s.cpuPerMessage)} CPU-µs/msg (${parts})${c} → ${s.pass ? 'PASS' : `FAIL: ${s.why.join('; ')}`}`;
}

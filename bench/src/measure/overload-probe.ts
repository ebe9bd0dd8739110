// What S9 watches on the platform while a load window runs: the commit rate
// once the window has settled in, RSS from /proc, how fast /health answers,
// how much it logs, and what GET /metrics says about event-loop delay and
// load shedding (series it does not export are reported as absent).
import { counterDelta, type LoopDelay, loopDelay, MetricsText } from '../../../devices-sim/src/stats/prometheus-text';
import { type BenchContext, sleep } from '../scenarios/context';
import { countRows, type StepWindow } from '../scenarios/load-step';
import { rssBytes } from './proc';
import { Latency, type Percentiles } from './stats';

/** Issue 13's explicit push-back, each counted by the platform. */
export const SHED_COUNTERS = [
  'anxin_ingest_backpressure_waits_total',
  'anxin_telemetry_shed_total',
  'anxin_rule_readings_shed_total',
] as const;

export interface ProbeResult {
  /** Rows of the window committed per second from `settledAt` of the hold to its end. */
  committedPerSecond: number | null;
  rssPeakBytes: number | null;
  logLines: number;
  logLinesPerSecond: number;
  /** GET /api/v1/health one after another: answer times, and answers that were not 200 or timed out. */
  health: Percentiles & { failed: number };
  /** Null when /metrics did not answer at the end of the window or exports no delay. */
  loopDelay: LoopDelay | null;
  /** Growth over the window; null for a counter the platform does not export. */
  shed: Record<(typeof SHED_COUNTERS)[number], number | null>;
  /** Why a figure is missing: a /metrics scrape or a row count that failed. */
  problems: string[];
}

const HEALTH_TIMEOUT_MS = 5_000;
const HEALTH_EVERY_MS = 500;
const RSS_EVERY_MS = 200;
/** The commit rate is read from here on: the first quarter of a hold fills the queues. */
const SETTLE_SHARE = 0.25;

/** GET /metrics, parsed. */
export async function scrapeMetrics(baseUrl: string): Promise<MetricsText> {
  const res = await fetch(`${baseUrl}/metrics`, { signal: AbortSignal.timeout(10_000) });
  if (!res.ok) throw new Error(`GET /metrics answered HTTP ${res.status}`);
  return MetricsText.parse(await res.text());
}

/** Runs for `holdMs` from the start of the load window; every figure covers that window. */
export async function probeOverload(ctx: BenchContext, window: StepWindow, holdMs: number): Promise<ProbeResult> {
  const { platform } = ctx;
  const started = performance.now();
  const end = started + holdMs;
  const problems: string[] = [];
  const orNull = <T>(work: Promise<T>): Promise<T | null> =>
    work.catch((error: unknown) => {
      problems.push((error as Error).message);
      return null;
    });
  const scrapeOrNull = () => orNull(scrapeMetrics(platform.baseUrl));
  // The delay gauges cover the time since the previous scrape: this one starts the window.
  const startMetrics = await scrapeOrNull();
  const linesBefore = platform.logLines();

  let rssPeak: number | null = null;
  const rssTimer = setInterval(() => {
    const rss = rssBytes(platform.pid);
    if (rss !== null) rssPeak = Math.max(rssPeak ?? 0, rss);
  }, RSS_EVERY_MS);

  const health = new Latency();
  let healthFailed = 0;
  const pollHealth = async () => {
    while (performance.now() < end) {
      const t0 = performance.now();
      try {
        const res = await fetch(`${platform.baseUrl}/api/v1/health`, {
          signal: AbortSignal.timeout(HEALTH_TIMEOUT_MS),
        });
        await res.arrayBuffer();
        if (!res.ok) healthFailed += 1;
      } catch {
        healthFailed += 1;
      }
      health.record(performance.now() - t0);
      await sleep(HEALTH_EVERY_MS);
    }
  };

  const commitRate = async (): Promise<number | null> => {
    await sleep(holdMs * SETTLE_SHARE);
    const t1 = performance.now();
    // The database is as loaded as the platform (even out of connections): a failed count is a gap, not an error.
    const rows1 = await orNull(countRows(ctx, window));
    await sleep(Math.max(0, end - performance.now()));
    const t2 = performance.now();
    const rows2 = await orNull(countRows(ctx, window));
    return rows1 !== null && rows2 !== null && t2 > t1 ? ((rows2 - rows1) * 1000) / (t2 - t1) : null;
  };

  const [committedPerSecond] = await Promise.all([commitRate(), pollHealth()]);
  clearInterval(rssTimer);
  const logLines = platform.logLines() - linesBefore;
  const endMetrics = await scrapeOrNull();
  const elapsed = performance.now() - started;
  const shed = Object.fromEntries(
    SHED_COUNTERS.map((name) => [
      name,
      startMetrics && endMetrics ? counterDelta(startMetrics, endMetrics, name) : null,
    ]),
  ) as ProbeResult['shed'];
  return {
    committedPerSecond,
    rssPeakBytes: rssPeak,
    logLines,
    logLinesPerSecond: (logLines * 1000) / elapsed,
    health: { ...health.percentiles(), failed: healthFailed },
    loopDelay: endMetrics ? loopDelay(endMetrics) : null,
    shed,
    problems,
  };
}

import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Gauge, type Registry } from 'prom-client';
import type { RepeatedLog } from '../logging/repeated-log';

const TICK_MS = 250;
const RESOLUTION_MS = 10;
const NS_PER_SECOND = 1e9;
/** The histogram records each sampling interval: what exceeds the resolution is the delay. */
const delaySeconds = (intervalNs: number) => Math.max(0, intervalNs / NS_PER_SECOND - RESOLUTION_MS / 1000);

/**
 * Issue 13: a stalled event loop delays every PUBACK and every console's
 * socket.io ping at once, so its delay goes on GET /metrics (p50, p99 and max
 * over the window since the previous scrape) and a stall over `stallMs` is
 * logged (once per interval, with a count, while it keeps happening).
 */
export class EventLoopMonitor {
  private readonly histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  private ticker: NodeJS.Timeout | null = null;

  constructor(
    registry: Registry,
    private readonly repeated: RepeatedLog,
    private readonly stallMs = 1_000,
  ) {
    const histogram = this.histogram;
    new Gauge({
      name: 'anxin_event_loop_delay_seconds',
      help: 'Event-loop delay over the window since the previous scrape, by stat (p50, p99, max)',
      labelNames: ['stat'] as const,
      registers: [registry],
      collect() {
        // An empty window reads 0 for all three (the histogram's percentiles and max are 0 then).
        this.set({ stat: 'p50' }, delaySeconds(histogram.percentile(50)));
        this.set({ stat: 'p99' }, delaySeconds(histogram.percentile(99)));
        this.set({ stat: 'max' }, delaySeconds(histogram.max));
        histogram.reset();
      },
    });
  }

  onModuleInit(): void {
    this.histogram.enable();
    // A timer that fires late by more than stallMs was held up by a loop that did not yield that long.
    let last = performance.now();
    this.ticker = setInterval(() => {
      const now = performance.now();
      const stalledMs = now - last - TICK_MS;
      last = now;
      if (stalledMs > this.stallMs)
        this.repeated.warn(
          'event-loop-stall',
          { stalledMs: Math.round(stalledMs) },
          'event loop stalled: PUBACKs and console pings waited as long',
        );
    }, TICK_MS);
    this.ticker.unref();
  }

  onApplicationShutdown(): void {
    if (this.ticker) clearInterval(this.ticker);
    this.histogram.disable();
  }
}

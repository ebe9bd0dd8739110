import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Gauge, Histogram, type Registry } from 'prom-client';
import type { RepeatedLog } from '../logging/repeated-log';

/** Fine enough to see a 50 ms stall wherever it falls between two ticks; 50 wake-ups a second cost nothing measurable. */
const TICK_MS = 20;
/** Stalls from this long are counted by cause. */
const COUNTED_STALL_MS = 50;
/** A stall during which the process used less CPU than this share of it was time off the CPU, not work. */
const BUSY_SHARE = 0.5;
const RESOLUTION_MS = 10;
const NS_PER_SECOND = 1e9;
/** The histogram records each sampling interval: what exceeds the resolution is the delay. */
const delaySeconds = (intervalNs: number) => Math.max(0, intervalNs / NS_PER_SECOND - RESOLUTION_MS / 1000);

/**
 * Issue 13: a stalled event loop delays every PUBACK and every console's
 * socket.io ping at once, so its delay goes on GET /metrics (p50, p99 and max
 * over the window since the previous scrape) and a stall over `stallMs` is
 * logged (once per interval, with a count, while it keeps happening).
 *
 * Each stall from 50 ms is also counted by cause, from the CPU the process used meanwhile: `busy`
 * (JavaScript or GC ran all along: work to cut up) or `off_cpu` (the thread was not running: the
 * machine's scheduler or hypervisor gave the core to someone else, or a synchronous call blocked).
 * The two need opposite remedies, and on a shared 2-core host the second is common.
 */
export class EventLoopMonitor {
  private readonly histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  private ticker: NodeJS.Timeout | null = null;
  private readonly stalls: Histogram<'cause'>;

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
    this.stalls = new Histogram({
      name: 'anxin_event_loop_stall_seconds',
      help: 'Event-loop stalls from 50 ms, by cause: busy (the process ran) or off_cpu (it did not get the CPU)',
      labelNames: ['cause'] as const,
      buckets: [0.05, 0.1, 0.2, 0.5, 1, 2.5],
      registers: [registry],
    });
  }

  onModuleInit(): void {
    this.histogram.enable();
    // A timer that fires late by more than stallMs was held up by a loop that did not yield that long.
    let last = performance.now();
    let lastCpu = process.cpuUsage();
    this.ticker = setInterval(() => {
      const now = performance.now();
      const cpu = process.cpuUsage();
      const stalledMs = now - last - TICK_MS;
      const cpuMs = (cpu.user - lastCpu.user + cpu.system - lastCpu.system) / 1000;
      const cause = cpuMs >= BUSY_SHARE * (now - last) ? 'busy' : 'off_cpu';
      last = now;
      lastCpu = cpu;
      if (stalledMs >= COUNTED_STALL_MS) this.stalls.observe({ cause }, stalledMs / 1000);
      if (stalledMs > this.stallMs)
        this.repeated.warn(
          'event-loop-stall',
          { stalledMs: Math.round(stalledMs), cause },
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

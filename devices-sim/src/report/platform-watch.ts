// The platform's own figures during a run, where the simulator can see them:
// GET /metrics answers loopback clients (or a bearer token), so a platform on
// this machine reports its RSS and event-loop delay; a remote one does not,
// and the report then says why.
import { loopDelay, MetricsText } from '../stats/prometheus-text';

export interface PlatformObservation {
  /** Scrapes of GET /metrics that answered, and those that failed or timed out. */
  samples: number;
  failed: number;
  rssPeakBytes: number | null;
  rssLastBytes: number | null;
  /** Longest event-loop delay over the run (the max of every window between scrapes). */
  eventLoopDelayMaxMs: number | null;
  /** Why the figures are missing (e.g. HTTP 403: /metrics is for loopback or a bearer token); null when read. */
  unavailable: string | null;
}

export class PlatformWatch {
  private samples = 0;
  private failed = 0;
  private rssPeak: number | null = null;
  private rssLast: number | null = null;
  private loopMax: number | null = null;
  private lastError: string | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;
  private wake: (() => void) | null = null;

  constructor(
    private readonly apiUrl: string,
    private readonly intervalMs = 5_000,
    private readonly timeoutMs = 4_000,
  ) {}

  start(): void {
    this.running = this.loop();
  }

  async stop(): Promise<PlatformObservation> {
    this.stopped = true;
    this.wake?.();
    await this.running;
    return {
      samples: this.samples,
      failed: this.failed,
      rssPeakBytes: this.rssPeak,
      rssLastBytes: this.rssLast,
      eventLoopDelayMaxMs: this.loopMax,
      unavailable: this.samples === 0 ? (this.lastError ?? 'not scraped') : null,
    };
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      // A platform that refuses us (remote, or a token we do not have) will not change its mind.
      if ((await this.scrape()) === 'refused') return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.intervalMs);
        timer.unref();
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  private async scrape(): Promise<'ok' | 'failed' | 'refused'> {
    try {
      const res = await fetch(`${this.apiUrl}/metrics`, { signal: AbortSignal.timeout(this.timeoutMs) });
      if (!res.ok) {
        this.lastError = `GET /metrics answered HTTP ${res.status}`;
        this.failed += 1;
        return res.status === 401 || res.status === 403 || res.status === 404 ? 'refused' : 'failed';
      }
      const metrics = MetricsText.parse(await res.text());
      this.samples += 1;
      const rss = metrics.sum('process_resident_memory_bytes');
      if (rss !== null) {
        this.rssLast = rss;
        this.rssPeak = Math.max(this.rssPeak ?? 0, rss);
      }
      const lag = loopDelay(metrics)?.maxMs ?? null;
      if (lag !== null && Number.isFinite(lag)) this.loopMax = Math.max(this.loopMax ?? 0, lag);
      return 'ok';
    } catch (error) {
      this.failed += 1;
      this.lastError = `GET /metrics: ${(error as Error).message}`;
      return 'failed';
    }
  }
}

/**
 * Runs `work` at once when asked, never twice at a time: asks made while it
 * runs make it run once more after, so a burst of asks costs at most two runs.
 */
export class CoalescedRun {
  private running = false;
  private again = false;
  private stopped = false;
  private soon: NodeJS.Timeout | null = null;

  /**
   * `work` handles its own errors (a rejection would end this loop's promise unhandled).
   * `urgent`: a request starts the run as soon as the current callback is done, not at the event
   * loop's next turn, which under load comes seconds later (issue 13: the life-safety pass).
   */
  constructor(
    private readonly work: () => Promise<void>,
    private readonly urgent = false,
  ) {}

  request(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    if (this.urgent) queueMicrotask(() => void this.loop());
    else setImmediate(() => void this.loop());
  }

  /** `request` within `ms`: asks made meanwhile share one run. */
  requestWithin(ms: number): void {
    if (this.stopped || this.soon) return;
    this.soon = setTimeout(() => {
      this.soon = null;
      this.request();
    }, ms);
  }

  stop(): void {
    this.stopped = true;
    if (this.soon) clearTimeout(this.soon);
    this.soon = null;
  }

  private async loop(): Promise<void> {
    try {
      do {
        this.again = false;
        await this.work();
      } while (this.again && !this.stopped);
    } finally {
      this.running = false;
    }
  }
}

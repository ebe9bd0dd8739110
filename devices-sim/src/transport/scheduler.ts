// Open-loop schedule (BENCHMARKS.md method 4): every device publishes on its
// own slot in the period whatever the broker does, staggered evenly so a
// thousand devices at 1 msg/s are a steady stream rather than one burst a
// second. Each send carries its intended time, so latency is measured from
// when the message was due, not from when a busy generator got round to it.
import type { Clock } from '../clock';

export class PeriodicScheduler<T> {
  private readonly buckets: T[][];
  private readonly slotMs: number;
  private timer: NodeJS.Timeout | null = null;
  private startedAt = 0;
  private lastSlot = -1;
  private added = 0;
  /** Slots handled later than one slot after they were due (the generator fell behind). */
  lateSlots = 0;

  constructor(
    readonly periodMs: number,
    private readonly clock: Clock,
    tickMs = 2,
  ) {
    const slots = Math.max(1, Math.round(periodMs / tickMs));
    this.slotMs = periodMs / slots;
    this.buckets = Array.from({ length: slots }, () => []);
  }

  /** Places an item at an even spread over the period (the n-th item added gets the n-th phase). */
  add(item: T): void {
    // Golden-ratio spacing: evenly spread whatever the final count, without knowing it up front.
    const phase = (this.added * 0.6180339887498949) % 1;
    this.added += 1;
    this.buckets[Math.floor(phase * this.buckets.length)]?.push(item);
  }

  remove(item: T): void {
    for (const bucket of this.buckets) {
      const i = bucket.indexOf(item);
      if (i >= 0) {
        bucket.splice(i, 1);
        return;
      }
    }
  }

  start(onDue: (item: T, intendedAt: number) => void): void {
    this.startedAt = this.clock();
    this.lastSlot = -1;
    const tick = () => {
      const now = this.clock();
      const current = Math.floor((now - this.startedAt) / this.slotMs);
      for (let k = this.lastSlot + 1; k <= current; k++) {
        const intendedAt = this.startedAt + k * this.slotMs;
        if (now - intendedAt > 2 * this.slotMs) this.lateSlots += 1;
        const bucket = this.buckets[k % this.buckets.length] ?? [];
        for (const item of bucket) onDue(item, intendedAt);
      }
      this.lastSlot = current;
    };
    this.timer = setInterval(tick, Math.max(1, Math.floor(this.slotMs)));
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}

/**
 * First in, first out, with O(1) take from the front: a line of hundreds of
 * thousands of held readings must not memmove on every `shift()`.
 */
class Fifo<T> {
  private items: (T | undefined)[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
  }

  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head];
    this.items[this.head++] = undefined;
    // Compact now and then; amortised O(1).
    if (this.head > 4096 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  drain(): T[] {
    const rest = this.items.slice(this.head) as T[];
    this.items = [];
    this.head = 0;
    return rest;
  }
}

/** Stalled readers let in per event-loop turn at most, so one turn never reads every socket. */
const WAKE_PER_TURN = 8;

interface Held {
  weight: number;
  start: () => void;
  drop: (error: Error) => void;
}

/**
 * Work that may run `concurrency` at a time; more waits in line, in arrival
 * order, as a small closure over what it will need (a reading's raw bytes, not
 * its parsed form). The line holds at most `holdMax` weight (bytes, for
 * readings: their size and what waiting costs): past that it is
 * `saturated`, and whoever feeds it (the broker) stops reading its sockets
 * until `onRoom` calls back. So a flood costs bounded memory, and whatever
 * does not go through the line (life-safety events) is never queued behind it.
 */
export class AdmissionLine {
  private running = 0;
  private heldWeight = 0;
  private readonly held = new Fifo<Held>();
  private readonly roomWaiters = new Fifo<() => void>();
  private waking = false;

  constructor(
    private readonly concurrency: number,
    private readonly holdMax: number,
  ) {}

  get depth(): number {
    return this.held.length;
  }

  /** Whether work submitted now would wait in line. */
  get busy(): boolean {
    return this.running >= this.concurrency;
  }

  get saturated(): boolean {
    return this.heldWeight >= this.holdMax;
  }

  run<T>(task: () => Promise<T>, weight: number): Promise<T> {
    if (this.running < this.concurrency) return this.start(task);
    this.heldWeight += weight;
    return new Promise<T>((resolve, reject) =>
      this.held.push({ weight, start: () => void this.start(task).then(resolve, reject), drop: reject }),
    );
  }

  /** Calls `callback` once, as soon as the line is not saturated (now, if it is not). */
  onRoom(callback: () => void): void {
    if (!this.saturated) callback();
    else this.roomWaiters.push(callback);
  }

  /** Fails everything still waiting (nothing of it was acknowledged): at shutdown. */
  dropHeld(error: Error): void {
    this.heldWeight = 0;
    for (const held of this.held.drain()) held.drop(error);
    this.wakeRoomWaiters();
  }

  private start<T>(task: () => Promise<T>): Promise<T> {
    this.running += 1;
    let result: Promise<T>;
    try {
      result = task();
    } catch (error) {
      result = Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    return result.finally(() => {
      this.running -= 1;
      this.next();
    });
  }

  private next(): void {
    while (this.running < this.concurrency) {
      const held = this.held.shift();
      if (!held) break;
      this.heldWeight -= held.weight;
      held.start();
    }
    this.wakeRoomWaiters();
  }

  private wakeRoomWaiters(): void {
    if (this.waking || this.saturated || this.roomWaiters.length === 0) return;
    this.waking = true;
    // On a turn of its own, outside the task that freed the room: a waiter's reading (and any throw) is its own.
    setImmediate(() => this.wakeWhileRoom());
  }

  /**
   * One waiter at a time, first come first served, each seeing what the one before took: a
   * woken connection reads everything its socket buffered at once (tens of readings), so
   * waking one per freed place overfilled the line sixfold at 3× overload.
   */
  private wakeWhileRoom(): void {
    this.waking = false;
    for (let n = 0; n < WAKE_PER_TURN && !this.saturated; n++) {
      const wake = this.roomWaiters.shift();
      if (!wake) return;
      try {
        wake();
      } catch {
        // the waiter's own failure (its connection); the others still get their turn
      }
    }
    this.wakeRoomWaiters();
  }
}

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

/** Stalled readers let in each time the line frees room. */
const ROOM_WAKE_BATCH = 16;

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
  private roomWaiters: (() => void)[] = [];

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
    if (this.saturated || this.roomWaiters.length === 0) return;
    // First come first served, a few at a time: a little room does not let every stalled connection read at once.
    // An empty line has no completion left to wake the rest: then all of them.
    const woken = this.roomWaiters.splice(0, this.held.length === 0 ? this.roomWaiters.length : ROOM_WAKE_BATCH);
    // Each on its own turn, outside the task that freed the room: a waiter's reading (and any throw) is its own.
    for (const wake of woken) setImmediate(wake);
  }
}

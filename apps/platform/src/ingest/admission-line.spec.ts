import { AdmissionLine } from './admission-line';

/** A task that finishes when told to. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, task: () => opened };
}

describe('AdmissionLine', () => {
  it('runs `concurrency` tasks at once and the rest in arrival order', async () => {
    const line = new AdmissionLine(2, 1_000);
    const gates = Array.from({ length: 5 }, gate);
    const started: number[] = [];
    const runs = gates.map((g, i) =>
      line.run(() => {
        started.push(i);
        return g.task();
      }, 10),
    );
    expect(started).toEqual([0, 1]);
    expect(line.busy).toBe(true);
    expect(line.depth).toBe(3);
    gates[1]!.open();
    await runs[1];
    await Promise.resolve();
    expect(started).toEqual([0, 1, 2]);
    for (const g of gates) g.open();
    await Promise.all(runs);
    expect(started).toEqual([0, 1, 2, 3, 4]);
    expect(line.busy).toBe(false);
    expect(line.depth).toBe(0);
  });

  it('is saturated once the waiting weight reaches its bound, and calls back when there is room again', async () => {
    const line = new AdmissionLine(1, 100);
    const first = gate();
    const running = line.run(first.task, 60);
    const waiting = [line.run(async () => 'a', 60), line.run(async () => 'b', 60)];
    expect(line.saturated).toBe(true);
    let roomAt: number | null = null;
    line.onRoom(() => (roomAt = line.depth));
    expect(roomAt).toBeNull();
    first.open();
    await running;
    expect(await Promise.all(waiting)).toEqual(['a', 'b']);
    await new Promise((resolve) => setImmediate(resolve)); // woken on a turn of its own
    expect(roomAt).not.toBeNull();
    expect(line.saturated).toBe(false);
    let now = false;
    line.onRoom(() => (now = true));
    expect(now).toBe(true);
  });

  it('a failing task fails alone and the line goes on', async () => {
    const line = new AdmissionLine(1, 1_000);
    const failing = line.run(() => Promise.reject(new Error('bad reading')), 1);
    const next = line.run(async () => 'stored', 1);
    await expect(failing).rejects.toThrow('bad reading');
    await expect(next).resolves.toBe('stored');
  });

  it('lets go of everything waiting at shutdown, failing it', async () => {
    const line = new AdmissionLine(1, 1_000);
    const first = gate();
    const running = line.run(first.task, 1);
    const dropped = line.run(async () => 'never', 1);
    line.dropHeld(new Error('shutting down'));
    await expect(dropped).rejects.toThrow('shutting down');
    expect(line.depth).toBe(0);
    first.open();
    await running;
  });

  it('takes from the front in O(1) over a long line (compaction keeps the order)', async () => {
    const line = new AdmissionLine(1, Number.MAX_SAFE_INTEGER);
    const first = gate();
    const running = line.run(first.task, 1);
    const order: number[] = [];
    const runs = Array.from({ length: 20_000 }, (_, i) =>
      line.run(async () => {
        order.push(i);
      }, 1),
    );
    first.open();
    await running;
    await Promise.all(runs);
    expect(order).toEqual(Array.from({ length: 20_000 }, (_, i) => i));
  });

  it('wakes every waiter once the line is empty, not only the first few', async () => {
    const line = new AdmissionLine(1, 10);
    const first = gate();
    const running = line.run(first.task, 1);
    const held = line.run(async () => undefined, 10);
    let woken = 0;
    for (let i = 0; i < 40; i++) line.onRoom(() => (woken += 1));
    first.open();
    await Promise.all([running, held]);
    // A few per event-loop turn, until every one has had its turn.
    for (let turn = 0; turn < 10; turn++) await new Promise((resolve) => setImmediate(resolve));
    expect(woken).toBe(40);
  });
});

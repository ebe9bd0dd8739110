import { PeriodicScheduler } from './scheduler';

describe('PeriodicScheduler', () => {
  beforeEach(() => jest.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => jest.useRealTimers());

  it('fires each item once per period, staggered, with its intended time', () => {
    const scheduler = new PeriodicScheduler<number>(1000, () => Date.now(), 10);
    for (let i = 0; i < 100; i++) scheduler.add(i);
    const fired: { item: number; at: number }[] = [];
    scheduler.start((item, at) => fired.push({ item, at }));
    jest.advanceTimersByTime(3000);
    scheduler.stop();
    const perItem = new Map<number, number[]>();
    for (const f of fired) perItem.set(f.item, [...(perItem.get(f.item) ?? []), f.at]);
    expect(perItem.size).toBe(100);
    for (const times of perItem.values()) {
      expect(times.length).toBeGreaterThanOrEqual(3);
      times.slice(1).forEach((t, i) => expect(t - (times[i] ?? 0)).toBe(1000));
    }
    // Spread over the period: no 10 ms slot holds more than a few of the 100 devices.
    const perSlot = new Map<number, number>();
    for (const f of fired.filter((x) => x.at < 1_001_000)) perSlot.set(f.at, (perSlot.get(f.at) ?? 0) + 1);
    expect(Math.max(...perSlot.values())).toBeLessThanOrEqual(3);
  });

  it('catches up on slots missed while the event loop was blocked, keeping their intended times', () => {
    const clock = { now: 1_000_000 };
    const scheduler = new PeriodicScheduler<string>(100, () => clock.now, 10);
    scheduler.add('a');
    const fired: number[] = [];
    scheduler.start((_item, at) => fired.push(at));
    clock.now += 350; // as if a 350 ms stall happened before the next tick
    jest.advanceTimersByTime(10);
    expect(fired).toEqual([1_000_000, 1_000_100, 1_000_200, 1_000_300]);
    expect(scheduler.lateSlots).toBeGreaterThan(0);
    scheduler.stop();
  });
});

import { CoalescedRun } from './coalesced-run';

describe('CoalescedRun.requestWithin', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('runs once, when the window ends, for all the asks made in it', async () => {
    let runs = 0;
    const run = new CoalescedRun(async () => {
      runs += 1;
    });
    for (let i = 0; i < 5; i++) run.requestWithin(100);
    await jest.advanceTimersByTimeAsync(99);
    expect(runs).toBe(0);
    await jest.advanceTimersByTimeAsync(2); // the window, then the run's setImmediate
    expect(runs).toBe(1);
    run.requestWithin(100);
    await jest.advanceTimersByTimeAsync(102);
    expect(runs).toBe(2);
  });
});

describe('CoalescedRun.request', () => {
  it.each([
    [true, ['run', 'next turn']],
    [false, ['next turn', 'run']],
  ])(
    'urgent %s: an urgent run starts when the current callback ends, ahead of the next loop turn',
    async (urgent, expected) => {
      const order: string[] = [];
      const run = new CoalescedRun(async () => {
        order.push('run');
      }, urgent);
      setImmediate(() => order.push('next turn'));
      run.request();
      await new Promise((resolve) => setTimeout(resolve, 5));
      expect(order).toEqual(expected);
    },
  );
});

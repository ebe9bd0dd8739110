import { Writable } from 'node:stream';
import pino from 'pino';
import { Registry } from 'prom-client';
import { RepeatedLog } from '../logging/repeated-log';
import { EventLoopMonitor } from './event-loop-monitor';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const blockLoopFor = (ms: number) => {
  const until = performance.now() + ms;
  while (performance.now() < until);
};

describe('EventLoopMonitor', () => {
  const warnings: { stalledMs: number; cause: string; msg: string }[] = [];
  const registry = new Registry();
  const repeated = new RepeatedLog(
    pino(
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          warnings.push(JSON.parse(chunk.toString()) as (typeof warnings)[number]);
          done();
        },
      }),
    ),
  );
  const monitor = new EventLoopMonitor(registry, repeated, 150);
  beforeAll(() => monitor.onModuleInit());
  afterAll(() => {
    monitor.onApplicationShutdown();
    repeated.close();
  });

  /** One scrape: the delays by stat. */
  const scrape = async (): Promise<Record<string, number>> => {
    const { values } = await registry.getSingleMetric('anxin_event_loop_delay_seconds')!.get();
    return Object.fromEntries(values.map((v) => [String(v.labels.stat), v.value]));
  };

  it('exports the delay since the previous scrape and warns about a stall', async () => {
    await sleep(50);
    blockLoopFor(400);
    await sleep(300); // the stall ticker and the histogram see the late timers
    const stalled = await scrape();
    expect(stalled['max']).toBeGreaterThanOrEqual(0.3);
    expect(stalled['p99']).toBeGreaterThan(0);
    expect(stalled['p50']).toBeLessThan(0.3);
    expect(warnings.map((w) => w.msg)).toEqual([expect.stringMatching(/^event loop stalled/)]);
    expect(warnings[0]!.stalledMs).toBeGreaterThanOrEqual(150);
    expect(warnings[0]!.cause).toBe('busy');

    // Each scrape starts a new window: the stall is not reported twice.
    await sleep(100);
    expect((await scrape())['max']).toBeLessThan(0.3);
    expect(await registry.metrics()).toMatch(/^anxin_event_loop_delay_seconds\{stat="p50"\} /m);
  });

  /** Stalls counted by cause: how many observations of anxin_event_loop_stall_seconds each cause has. */
  const stallsByCause = async (): Promise<Record<string, number>> => {
    const { values } = await registry.getSingleMetric('anxin_event_loop_stall_seconds')!.get();
    return Object.fromEntries(
      values
        .filter((v) => (v as { metricName?: string }).metricName === 'anxin_event_loop_stall_seconds_count')
        .map((v) => [String(v.labels.cause), v.value]),
    );
  };

  it('tells a stall of work from one off the CPU', async () => {
    const before = await stallsByCause();
    // Work: the thread runs all along.
    blockLoopFor(200);
    await sleep(60);
    // Off the CPU: the thread is blocked without running, as when the machine gives the core away.
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
    await sleep(60);
    const after = await stallsByCause();
    // At least: a loaded machine may add stalls of its own.
    expect((after['busy'] ?? 0) - (before['busy'] ?? 0)).toBeGreaterThanOrEqual(1);
    expect((after['off_cpu'] ?? 0) - (before['off_cpu'] ?? 0)).toBeGreaterThanOrEqual(1);
  });
});

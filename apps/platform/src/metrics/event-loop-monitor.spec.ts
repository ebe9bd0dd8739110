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
  const warnings: { stalledMs: number; msg: string }[] = [];
  const registry = new Registry();
  const repeated = new RepeatedLog(
    pino(
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          warnings.push(JSON.parse(chunk.toString()) as { stalledMs: number; msg: string });
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

    // Each scrape starts a new window: the stall is not reported twice.
    await sleep(100);
    expect((await scrape())['max']).toBeLessThan(0.3);
    expect(await registry.metrics()).toMatch(/^anxin_event_loop_delay_seconds\{stat="p50"\} /m);
  });
});

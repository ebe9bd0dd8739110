import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { PlatformWatch } from './platform-watch';

/** A stand-in platform answering GET /metrics with the next scrape's text (or a status code). */
async function metricsServer(
  answers: (string | number)[],
): Promise<{ url: string; requests(): number; close(): Promise<void> }> {
  let i = 0;
  const server = http.createServer((req, res) => {
    const answer = answers[Math.min(i++, answers.length - 1)] ?? 404;
    if (req.url !== '/metrics' || typeof answer === 'number') {
      res.writeHead(typeof answer === 'number' ? answer : 404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/plain' }).end(answer);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests: () => i,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

const until = async (cond: () => boolean) => {
  while (!cond()) await new Promise((r) => setTimeout(r, 10));
};

describe('PlatformWatch', () => {
  it('keeps the peak RSS and the longest event-loop delay over the scrapes', async () => {
    const scrape = (rss: number, lagMax: number) =>
      `process_resident_memory_bytes ${rss}\nnodejs_eventloop_lag_max_seconds ${lagMax}\n`;
    const server = await metricsServer([scrape(100e6, 0.02), scrape(300e6, 0.9), scrape(200e6, 0.05)]);
    const watch = new PlatformWatch(server.url, 20);
    watch.start();
    await until(() => server.requests() >= 3);
    const seen = await watch.stop();
    await server.close();
    expect(seen).toMatchObject({ rssPeakBytes: 300e6, eventLoopDelayMaxMs: 900, failed: 0, unavailable: null });
    expect(seen.samples).toBeGreaterThanOrEqual(3);
  });

  it('gives up on a platform that refuses it, and says why', async () => {
    const server = await metricsServer([403]);
    const watch = new PlatformWatch(server.url, 10);
    watch.start();
    await new Promise((r) => setTimeout(r, 100));
    const seen = await watch.stop();
    await server.close();
    expect(seen).toEqual({
      samples: 0,
      failed: 1,
      rssPeakBytes: null,
      rssLastBytes: null,
      eventLoopDelayMaxMs: null,
      unavailable: 'GET /metrics answered HTTP 403',
    });
  });
});

import { Redis } from 'ioredis';

/** Where REDIS_URL points, without credentials, for the start-up line. */
function describe(url: string): string {
  const parsed = new URL(url);
  return `${parsed.protocol}//${parsed.host}${parsed.pathname === '/' ? '' : parsed.pathname}`;
}

/**
 * CONTRACT §1 (v1.1): a process that cannot reach Redis at start-up says so in
 * one line naming REDIS_URL, instead of hanging in BullMQ's or aedes' first
 * command. Retries for `timeoutMs` (Redis may be starting alongside us), then
 * rejects with that line.
 */
export async function requireRedisReachable(url: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError = 'no answer';
  for (;;) {
    const client = new Redis(url, {
      lazyConnect: true,
      retryStrategy: () => null,
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
      connectTimeout: 2_000,
    });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.ping();
      return;
    } catch (error) {
      lastError = (error as Error).message;
    } finally {
      client.disconnect();
    }
    if (Date.now() >= deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(
    `REDIS_URL: cannot reach Redis at ${describe(url)} (${lastError}); start Redis there or correct REDIS_URL`,
  );
}

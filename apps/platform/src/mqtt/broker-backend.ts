import type { AppConfig } from '../config/config';

/**
 * The broker's session persistence and message emitter, chosen in one place:
 * in-process by default, Redis when REDIS_URL is set, so several platform
 * processes form one broker (a device's commands reach it wherever it is connected).
 */
export async function createBrokerBackend(config: AppConfig): Promise<{ mq?: unknown; persistence?: unknown }> {
  if (!config.redis.url) return {};
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mqemitterRedis = require('mqemitter-redis') as (opts: { connectionString: string }) => unknown;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const persistenceRedis = require('aedes-persistence-redis') as (opts: { url: string }) => unknown;
  return {
    mq: mqemitterRedis({ connectionString: config.redis.url }),
    persistence: persistenceRedis({ url: config.redis.url }),
  };
}

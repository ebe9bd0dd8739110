import type { Logger } from 'pino';
import type { RedisService } from '../redis/redis.service';

/**
 * The broker's session persistence and message emitter, chosen in one place:
 * in-process by default, Redis when REDIS_URL is set, so several platform
 * processes form one broker (a device's commands reach it wherever it is connected).
 *
 * The Redis connections come from RedisService (they reconnect forever), and
 * the emitter's `state` error event is handled: unhandled, one lost connection
 * killed every process (CONTRACT §1 v1.1: a process never exits because Redis went away).
 */
export function createBrokerBackend(redis: RedisService, log: Logger): { mq?: unknown; persistence?: unknown } {
  if (!redis.url) return {};
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mqemitterRedis = require('mqemitter-redis') as (opts: { subConn: unknown; pubConn: unknown }) => {
    state: { on(event: 'error', listener: (error: Error) => void): void };
  };
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const persistenceRedis = require('aedes-persistence-redis') as (opts: { conn: unknown }) => unknown;
  const mq = mqemitterRedis({
    subConn: redis.connect('broker emitter (subscribe)'),
    pubConn: redis.connect('broker emitter (publish)', { enableAutoPipelining: true }),
  });
  // Connection errors are already logged once per outage by RedisService; a failed publish lands here.
  mq.state.on('error', (error) => log.debug({ err: error.message }, 'broker emitter error'));
  return { mq, persistence: persistenceRedis({ conn: redis.connect('broker persistence') }) };
}

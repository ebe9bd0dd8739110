import type { Redis } from 'ioredis';
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
 *
 * Everything it keeps or sends in Redis carries the deployment's prefix
 * (ANXIN_QUEUE_PREFIX, CONTRACT §1): two deployments on one Redis otherwise
 * shared the persistence's fixed key names (retained messages, wills,
 * subscriptions) and every publish channel.
 */
export function createBrokerBackend(
  redis: RedisService,
  log: Logger,
  prefix: string,
): { mq?: unknown; persistence?: unknown } {
  if (!redis.url) return {};
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mqemitterRedis = require('mqemitter-redis') as (opts: { subConn: unknown; pubConn: unknown }) => {
    state: { on(event: 'error', listener: (error: Error) => void): void };
  };
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const persistenceRedis = require('aedes-persistence-redis') as (opts: { conn: unknown }) => unknown;
  const channelPrefix = `${prefix}:mqtt:`;
  const mq = mqemitterRedis({
    subConn: withChannelPrefix(redis.connect('broker emitter (subscribe)'), channelPrefix),
    pubConn: withChannelPrefix(
      redis.connect('broker emitter (publish)', { enableAutoPipelining: true }),
      channelPrefix,
    ),
  });
  // Connection errors are already logged once per outage by RedisService; a failed publish lands here.
  mq.state.on('error', (error) => log.debug({ err: error.message }, 'broker emitter error'));
  // Keys: ioredis prefixes every key argument itself.
  const conn = redis.connect('broker persistence', { keyPrefix: channelPrefix });
  return { mq, persistence: persistenceRedis({ conn }) };
}

/** A glob pattern matching `text` literally (PSUBSCRIBE patterns). */
const literalPattern = (text: string) => text.replace(/[*?[\]\\]/g, '\\$&');

/**
 * Pub/sub channels are not keys, so ioredis' keyPrefix leaves them alone: the
 * emitter's connections get the prefix here. The emitter reads each message's
 * topic from its payload, never from the channel, so nothing is stripped on
 * the way in. After a reconnect ioredis re-subscribes through these same
 * methods with the names the server confirmed, already prefixed: those are
 * left as they are (device topics never start with the prefix: CONTRACT §2).
 */
function withChannelPrefix(client: Redis, prefix: string): Redis {
  const methods = client as unknown as Record<string, (...args: unknown[]) => unknown>;
  const rename = (method: string, prefixOf: string) => {
    const original = methods[method]!.bind(client);
    const add = (arg: unknown): unknown =>
      Array.isArray(arg) ? arg.map(add) : typeof arg === 'string' && !arg.startsWith(prefixOf) ? prefixOf + arg : arg;
    methods[method] = (...args: unknown[]) =>
      // publish(channel, message): only the channel; the others take channels (and a callback).
      original(...(method === 'publish' ? [add(args[0]), ...args.slice(1)] : args.map(add)));
  };
  for (const method of ['publish', 'subscribe', 'unsubscribe']) rename(method, prefix);
  for (const method of ['psubscribe', 'punsubscribe']) rename(method, literalPattern(prefix));
  return client;
}

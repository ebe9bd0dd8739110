import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from 'pino';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { LOGGER } from '../logging/logger';

// Under /health's 1 s (issue 13), beside the database check.
const HEALTH_PING_TIMEOUT_MS = 800;

/** Reconnect forever, backing off to 2 s: losing Redis must never end the process (CONTRACT §1 v1.1). */
const retryForever = (times: number) => Math.min(times * 100, 2_000);

/**
 * The platform's own Redis connections (socket.io fan-out, broker emitter and
 * persistence, the health probe), made in one place so that each handles its
 * `error` events, reconnects, and logs one line per outage rather than one per
 * retry. BullMQ makes its own connections inside libs/queue.
 */
@Injectable()
export class RedisService implements OnModuleInit, OnApplicationShutdown {
  readonly url: string | null;
  private readonly clients = new Set<Redis>();
  private probe: Redis | null = null;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(LOGGER) private readonly log: Logger,
  ) {
    this.url = config.redis.url;
  }

  onModuleInit(): void {
    // Fails fast while disconnected instead of queueing the PING until Redis is back.
    if (this.url) this.probe = this.connect('health', { enableOfflineQueue: false, maxRetriesPerRequest: 0 });
  }

  /** A new connection to REDIS_URL; `role` names it in the log. Throws when REDIS_URL is not set. */
  connect(role: string, options: RedisOptions = {}): Redis {
    if (!this.url) throw new Error(`${role}: REDIS_URL is not set`);
    const client = new Redis(this.url, { retryStrategy: retryForever, ...options });
    let down = false;
    client.on('error', (error: Error) => {
      if (down) return;
      down = true;
      this.log.warn({ role, err: error.message }, `Redis at REDIS_URL unreachable (${role}); reconnecting`);
    });
    client.on('ready', () => {
      if (!down) return;
      down = false;
      this.log.info({ role }, `Redis at REDIS_URL reachable again (${role})`);
    });
    client.on('end', () => this.clients.delete(client));
    this.clients.add(client);
    return client;
  }

  /**
   * For /health: `null` without REDIS_URL, else whether Redis answers a PING
   * within 800 ms (a paused or unreachable Redis counts as down).
   */
  async status(): Promise<'ok' | 'down' | null> {
    const probe = this.probe;
    if (!probe) return null;
    if (probe.status !== 'ready') return 'down';
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'down'>((resolve) => {
      timer = setTimeout(() => resolve('down'), HEALTH_PING_TIMEOUT_MS);
    });
    try {
      return await Promise.race([
        probe.ping().then(
          (): 'ok' => 'ok',
          (): 'down' => 'down',
        ),
        timeout,
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(
      [...this.clients].map(async (client) => {
        if (client.status === 'ready') await client.quit().catch(() => client.disconnect());
        else client.disconnect();
      }),
    );
    this.clients.clear();
    this.probe = null;
  }
}

import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import {
  type AddJobOptions,
  createJobQueues,
  type JobHandlers,
  type JobMeta,
  type JobQueues,
  type ScheduleOptions,
} from '@anxin/queue';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { DATABASE_URL } from '../database/database-url';
import { LOGGER } from '../logging/logger';
import type { PlatformJobMap, PlatformJobName } from './job-map';

type Handler<K extends PlatformJobName> = (payload: PlatformJobMap[K], meta: JobMeta<K>) => Promise<void>;

const ALL_JOBS: PlatformJobName[] = [
  'escalate-alert',
  'check-bed-return',
  'inactivity-sweep',
  'offer-timeout',
  'generate-recurring-orders',
];

/**
 * The platform's durable timers (escalations, offer time-outs, bed return):
 * BullMQ on the same PostgreSQL by default, on Redis when REDIS_URL is set.
 * Domains register their handlers at init; the worker starts once all are in.
 */
@Injectable()
export class JobsService implements OnApplicationShutdown {
  private readonly queues: JobQueues<PlatformJobMap>;
  private readonly handlers: Partial<Record<PlatformJobName, Handler<never>>> = {};

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(DATABASE_URL) databaseUrl: string,
    @Inject(LOGGER) private readonly log: Logger,
  ) {
    this.queues = createJobQueues<PlatformJobMap>(
      config.redis.url
        ? { kind: 'redis', url: config.redis.url }
        : { kind: 'postgres', connectionString: databaseUrl, schema: 'jobs' },
      {
        prefix: config.queue.prefix,
        queueName: 'platform',
        onJobFailed: (error, meta) =>
          log.warn({ err: error, job: meta.name, jobId: meta.jobId, willRetry: meta.willRetry }, 'job failed'),
        onWorkerError: (error) => log.warn({ err: error }, 'job worker error'),
      },
    );
  }

  handle<K extends PlatformJobName>(name: K, handler: Handler<K>): void {
    this.handlers[name] = handler;
  }

  add<K extends PlatformJobName>(name: K, payload: PlatformJobMap[K], options?: AddJobOptions): Promise<string> {
    return this.queues.add(name, payload, options);
  }

  remove(jobId: string): Promise<void> {
    return this.queues.remove(jobId);
  }

  schedule<K extends PlatformJobName>(name: K, payload: PlatformJobMap[K], options: ScheduleOptions): Promise<void> {
    return this.queues.schedule(name, payload, options);
  }

  /** Called by platform.ts once the ports are bound: a start that fails must not run jobs (e.g. notify contacts). */
  async start(): Promise<void> {
    const handlers = {} as Record<PlatformJobName, Handler<never>>;
    for (const name of ALL_JOBS) {
      // A job of a domain that is not loaded is logged and dropped, not retried forever.
      handlers[name] =
        this.handlers[name] ?? (async () => this.log.warn({ job: name }, 'no handler registered for job'));
    }
    await this.queues.process(handlers as unknown as JobHandlers<PlatformJobMap>, { concurrency: 20 });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.queues.close();
  }
}

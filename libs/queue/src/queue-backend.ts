import { Queue, Worker, createPostgresBackend } from 'bullmq';
import type { DefaultJobOptions, Job } from 'bullmq';

/**
 * Where queues live. `postgres` keeps jobs in the platform database (embedded or
 * not, so the port comes from the connection string); `redis` uses a Redis
 * server. Chosen once, from config.
 */
export type QueueBackendConfig =
  | {
      kind: 'postgres';
      connectionString: string;
      /** PostgreSQL schema for BullMQ's tables; BullMQ's default is `bullmq`. */
      schema?: string;
    }
  | { kind: 'redis'; url: string };

export type BullJob = Job<unknown, void, string>;
// The members job-queues.ts uses, identical on both backends. (The full class
// types differ by backend and connection type, so neither is assignable to the other.)
export type BullQueue = Pick<
  Queue<unknown, void, string>,
  'add' | 'remove' | 'upsertJobScheduler' | 'removeJobScheduler' | 'close'
>;
export type BullWorker = Pick<Worker<unknown, void, string>, 'waitUntilReady' | 'close'>;

export interface WorkerSpec {
  processor: (job: BullJob) => Promise<void>;
  concurrency: number;
  onError: (error: Error) => void;
  onFailed: (job: BullJob | undefined, error: Error) => void;
}

/** Builds the BullMQ queue and workers of one named queue on the configured backend. */
export interface QueueBackend {
  /** `onError`: connection errors of the producer (it reconnects by itself); an unhandled one is noise or worse. */
  createQueue(defaultJobOptions: DefaultJobOptions, onError: (error: Error) => void): BullQueue;
  createWorker(spec: WorkerSpec): BullWorker;
}

export function openQueueBackend(config: QueueBackendConfig, prefix: string, queueName: string): QueueBackend {
  switch (config.kind) {
    case 'postgres': {
      // `migrate: true` applies BullMQ's schema migrations when each connection
      // first becomes ready. They run in one transaction under a per-schema
      // advisory lock, so instances booting together migrate exactly once.
      const connection = {
        connectionString: config.connectionString,
        migrate: true,
        ...(config.schema !== undefined && { schema: config.schema }),
      };
      // The PostgreSQL backend ignores BullMQ's key `prefix` (a Redis keyspace
      // concept), so the prefix goes into the queue name instead.
      const name = `${prefix}.${queueName}`;
      return {
        createQueue: (defaultJobOptions, onError) =>
          new Queue(name, { connection, defaultJobOptions }, createPostgresBackend).on('error', onError),
        createWorker: ({ processor, concurrency, onError, onFailed }) =>
          new Worker(name, processor, { connection, concurrency }, createPostgresBackend)
            .on('error', onError)
            .on('failed', onFailed),
      };
    }
    case 'redis':
      return {
        createQueue: (defaultJobOptions, onError) =>
          new Queue(queueName, { connection: { url: config.url }, prefix, defaultJobOptions }).on('error', onError),
        // Workers block on Redis and must retry forever rather than fail a command.
        createWorker: ({ processor, concurrency, onError, onFailed }) =>
          new Worker(queueName, processor, {
            connection: { url: config.url, maxRetriesPerRequest: null },
            prefix,
            concurrency,
          })
            .on('error', onError)
            .on('failed', onFailed),
      };
  }
}

import { UnrecoverableError } from 'bullmq';
import type { DefaultJobOptions } from 'bullmq';
import { openQueueBackend } from './queue-backend';
import type { BullJob, BullQueue, BullWorker, QueueBackend, QueueBackendConfig } from './queue-backend';

/** The job names of a registry `M` (job name → JSON-serialisable payload type). */
export type JobName<M> = Extract<keyof M, string>;

/** What a handler knows about the job it runs, besides the payload. */
export interface JobMeta<K extends string = string> {
  readonly jobId: string;
  /** 1 on the first run, 2 on the first retry, ... */
  readonly attempt: number;
  readonly name: K;
  /** True for a run of a {@link JobQueues.schedule} repeating job, false or absent for an added job. */
  readonly scheduled?: boolean;
}

/** One handler per job name of `M`; the mapped type makes a missing handler a compile error. */
export type JobHandlers<M> = {
  readonly [K in JobName<M>]: (payload: M[K], meta: JobMeta<K>) => Promise<void>;
};

/** Per-job options of {@link JobQueues.add}. */
export interface AddJobOptions {
  /**
   * Deterministic id (e.g. `escalate:${alertId}:${level}`): adding an id that is
   * waiting, delayed, running or still retained is a no-op. BullMQ rejects ids
   * that are integers or that contain `:` unless they have exactly three
   * `:`-separated parts.
   */
  jobId?: string;
  /** Run no earlier than this many milliseconds from now. */
  delayMs?: number;
  /** Total runs allowed, first included (default 3, exponential backoff from 1 s). */
  attempts?: number;
}

/** Options of {@link JobQueues.schedule}: give `every` or a cron `pattern`. */
export interface ScheduleOptions {
  /** Upserting the same id replaces that schedule rather than adding another. */
  schedulerId: string;
  every?: number;
  pattern?: string;
  tz?: string;
}

/** Options of {@link createJobQueues}. */
export interface JobQueuesOptions {
  /** Isolates deployments and test runs sharing one backend. */
  prefix: string;
  queueName: string;
  /** Called on each failed run; `willRetry` is false once the job has failed for good. */
  onJobFailed?: (error: Error, meta: JobMeta & { willRetry: boolean }) => void;
  /** Called on worker- and queue-level errors (connection loss and the like); defaults to `console.error`. */
  onWorkerError?: (error: Error) => void;
}

/** Thrown by a handler whose payload can never succeed: the job fails at once, without retries. */
export class PermanentJobError extends Error {
  override readonly name = 'PermanentJobError';
}

// Bounded retention: finished jobs are kept so a re-add of their id stays a
// no-op for a while, but the tables and keys cannot grow without limit.
const DEFAULT_JOB_OPTIONS: DefaultJobOptions = {
  attempts: 3,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: { count: 1000 },
  removeOnFail: { count: 5000 },
};

type AnyHandler = (payload: unknown, meta: JobMeta) => Promise<void>;

/**
 * A typed producer and consumer for one queue. Domain code sees only its job
 * registry `M`; BullMQ stays inside this library.
 */
export class JobQueues<M extends object> {
  private readonly backend: QueueBackend;
  private readonly queue: BullQueue;
  private readonly workers: BullWorker[] = [];
  private closing: Promise<void> | undefined;

  constructor(
    config: QueueBackendConfig,
    private readonly options: JobQueuesOptions,
  ) {
    this.backend = openQueueBackend(config, options.prefix, options.queueName);
    const { onWorkerError = (error: Error) => console.error('job queue error', error) } = options;
    this.queue = this.backend.createQueue(DEFAULT_JOB_OPTIONS, onWorkerError);
  }

  /** Enqueues a job and resolves to its id (the existing id when `jobId` is already taken). */
  async add<K extends JobName<M>>(name: K, payload: M[K], opts: AddJobOptions = {}): Promise<string> {
    // Only set what the caller gave: an explicit `undefined` would override the
    // queue's default attempts.
    const job = await this.queue.add(name, payload, {
      ...(opts.jobId !== undefined && { jobId: opts.jobId }),
      ...(opts.delayMs !== undefined && { delay: opts.delayMs }),
      ...(opts.attempts !== undefined && { attempts: opts.attempts }),
    });
    return requireJobId(job);
  }

  /**
   * Cancels a job that has not started, e.g. the next escalation once an alert
   * is acknowledged. A job that is already gone is fine; a running job is left
   * to finish, so handlers re-check the state they act on.
   */
  async remove(jobId: string): Promise<void> {
    // BullMQ reports 0 for a running (locked) job and, on Redis only, 1 for a
    // missing one, so the count says nothing portable and is not passed on.
    await this.queue.remove(jobId);
  }

  /** Creates or replaces a repeating job (e.g. a daily prune). */
  async schedule<K extends JobName<M>>(name: K, payload: M[K], opts: ScheduleOptions): Promise<void> {
    await this.queue.upsertJobScheduler(
      opts.schedulerId,
      {
        ...(opts.every !== undefined && { every: opts.every }),
        ...(opts.pattern !== undefined && { pattern: opts.pattern }),
        ...(opts.tz !== undefined && { tz: opts.tz }),
      },
      { name, data: payload },
    );
  }

  /** Stops a schedule and drops its pending run; false if there was none. */
  async unschedule(schedulerId: string): Promise<boolean> {
    return this.queue.removeJobScheduler(schedulerId);
  }

  /**
   * Starts a worker running up to `concurrency` jobs at once (default 1), and
   * resolves once it is connected. A job whose name has no handler (say, added
   * by a newer release) fails without retries.
   */
  async process(handlers: JobHandlers<M>, { concurrency = 1 }: { concurrency?: number } = {}): Promise<void> {
    const { onJobFailed, onWorkerError = (error) => console.error('job worker error', error) } = this.options;
    const worker = this.backend.createWorker({
      processor: (job) => runJob(handlers, job),
      concurrency,
      onError: onWorkerError,
      onFailed: (job, error) => {
        if (job?.id === undefined || onJobFailed === undefined) return;
        // attemptsMade already counts this run; finishedOn is set only on the final failure.
        const meta = { jobId: job.id, name: job.name, attempt: job.attemptsMade };
        onJobFailed(error, { ...meta, willRetry: job.finishedOn === undefined });
      },
    });
    this.workers.push(worker);
    await worker.waitUntilReady();
  }

  /**
   * Closes workers, letting running jobs finish (the SIGTERM drain), then the
   * queue. Safe to call more than once.
   */
  close(): Promise<void> {
    // Workers first: a running handler may still add follow-up jobs.
    this.closing ??= Promise.all(this.workers.map((worker) => worker.close())).then(() => this.queue.close());
    return this.closing;
  }
}

/** Creates the typed queues of registry `M`; see {@link JobQueues}. */
export function createJobQueues<M extends object>(config: QueueBackendConfig, options: JobQueuesOptions): JobQueues<M> {
  return new JobQueues<M>(config, options);
}

async function runJob<M>(handlers: JobHandlers<M>, job: BullJob): Promise<void> {
  const table = handlers as unknown as Partial<Record<string, AnyHandler>>;
  const handler = Object.hasOwn(table, job.name) ? table[job.name] : undefined;
  if (handler === undefined) {
    throw new UnrecoverableError(`no handler for job "${job.name}"`);
  }
  try {
    await handler(job.data, {
      jobId: requireJobId(job),
      attempt: job.attemptsMade + 1,
      name: job.name,
      scheduled: job.repeatJobKey !== undefined,
    });
  } catch (error) {
    if (error instanceof PermanentJobError) {
      throw new UnrecoverableError(error.message);
    }
    throw error;
  }
}

function requireJobId(job: BullJob): string {
  if (job.id === undefined) {
    throw new Error(`job "${job.name}" has no id`);
  }
  return job.id;
}

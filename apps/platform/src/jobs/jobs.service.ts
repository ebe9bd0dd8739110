import { randomUUID } from 'node:crypto';
import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import { DataSource, type EntityManager } from 'typeorm';
import {
  type AddJobOptions,
  createJobQueues,
  type JobHandlers,
  type JobMeta,
  type JobQueues,
  PermanentJobError,
  type ScheduleOptions,
} from '@anxin/queue';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { DATABASE_LANES, type DatabaseLanes } from '../database/database-lanes';
import { DATABASE_URL } from '../database/database-url';
import { LOGGER } from '../logging/logger';
import { RepeatedLog } from '../logging/repeated-log';
import { installAfterCommitHooks, runAfterCommit } from './after-commit.util';
import { type ClaimedTimer, DueTimersRepository } from './due-timers.repository';
import type { PlatformJobMap, PlatformJobName } from './job-map';

type Handler<K extends PlatformJobName> = (payload: PlatformJobMap[K], meta: JobMeta<K>) => Promise<void>;

/** `manager`: write the timer in the caller's transaction; its wake-up is queued after commit. */
export type PlatformAddOptions = AddJobOptions & { manager?: EntityManager };

/** How often each process looks for timers that fell due without a wake-up, and how late one must be. */
const RECONCILE_EVERY_MS = 2_000;
const RECONCILE_GRACE_MS = 1_500;
const RECONCILE_BATCH = 50;

const ALL_JOBS: PlatformJobName[] = [
  'escalate-alert',
  'check-bed-return',
  'inactivity-sweep',
  'offer-timeout',
  'generate-recurring-orders',
  'deliver-notification',
  'notification-sweep',
  'arrival-sla',
];

/**
 * The platform's durable timers (escalations, offer time-outs, bed return):
 * BullMQ on the same PostgreSQL by default, on Redis when REDIS_URL is set.
 * Domains register their handlers at init; the worker starts once all are in.
 *
 * CONTRACT §1 v1.1, no timer lost: every `add` is a `due_timers` row (in the
 * caller's transaction when given one) and the BullMQ job only its wake-up,
 * queued without waiting on Redis. A run claims the row and deletes it once
 * the handler succeeded; every few seconds each process fires rows that fell
 * due and were not fired (Redis lost or emptied, retries used up during a
 * database outage, a crash mid-run). A timer can therefore run more than once
 * (a crash after the handler, before the delete): handlers re-check the state
 * they act on. Repeating `schedule` jobs are not timers and run as they come.
 */
@Injectable()
export class JobsService implements OnApplicationShutdown {
  private readonly queues: JobQueues<PlatformJobMap>;
  private readonly handlers: Partial<Record<PlatformJobName, Handler<never>>> = {};
  private readonly timers: DueTimersRepository;
  private reconcileTimer: NodeJS.Timeout | null = null;
  private reconciling = false;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(DATABASE_URL) databaseUrl: string,
    @Inject(LOGGER) private readonly log: Logger,
    db: DataSource,
    @Inject(DATABASE_LANES) lanes: DatabaseLanes,
    private readonly repeated: RepeatedLog,
  ) {
    this.timers = new DueTimersRepository(db);
    // A timer added in a lane's transaction (an SOS raised on the life-safety lane) is woken after its commit too.
    for (const source of [db, lanes.ingest, lanes.lifeSafety, lanes.telemetryRules]) installAfterCommitHooks(source);
    this.queues = createJobQueues<PlatformJobMap>(
      config.redis.url
        ? { kind: 'redis', url: config.redis.url }
        : { kind: 'postgres', connectionString: databaseUrl, schema: 'jobs' },
      {
        prefix: config.queue.prefix,
        queueName: 'platform',
        onJobFailed: (error, meta) =>
          repeated.warn(
            `job-failed:${meta.name}`,
            { err: error, job: meta.name, jobId: meta.jobId, willRetry: meta.willRetry },
            'job failed',
          ),
        // A lost backend reports every reconnect attempt: one line per interval is enough.
        onWorkerError: (error) => this.warnThrottled(error, 'job queue error'),
      },
    );
  }

  handle<K extends PlatformJobName>(name: K, handler: Handler<K>): void {
    this.handlers[name] = handler;
  }

  /**
   * Resolves once the timer row is written (committed with `manager`'s
   * transaction); the wake-up is never awaited, so a stalled Redis delays
   * nothing here, and a lost wake-up is covered by the reconciler.
   */
  async add<K extends PlatformJobName>(
    name: K,
    payload: PlatformJobMap[K],
    options: PlatformAddOptions = {},
  ): Promise<string> {
    const { manager, ...jobOptions } = options;
    const jobId = jobOptions.jobId ?? randomUUID();
    await this.timers.insert(manager, { jobId, name, payload, delayMs: jobOptions.delayMs ?? 0 });
    const wakeUp = () =>
      void this.queues
        .add(name, payload, { ...jobOptions, jobId })
        .catch((error: unknown) =>
          this.warnThrottled(error, 'could not queue a timer wake-up; the reconciler fires it'),
        );
    if (manager) runAfterCommit(manager, wakeUp);
    else wakeUp();
    return jobId;
  }

  /** `add` for several timers of one job in one statement (e.g. the escalations of a rule pass's new alerts). */
  async addMany<K extends PlatformJobName>(
    name: K,
    jobs: { jobId: string; payload: PlatformJobMap[K]; delayMs: number }[],
    manager?: EntityManager,
  ): Promise<void> {
    if (jobs.length === 0) return;
    await this.timers.insertMany(
      manager,
      jobs.map((job) => ({ ...job, name })),
    );
    const wakeUp = () => this.queueWakeUps(name, jobs);
    if (manager) runAfterCommit(manager, wakeUp);
    else wakeUp();
  }

  /**
   * After the commit that added their timer rows (a statement of the caller's, with
   * due-timers.repository.ts `insertDueTimersFrom`): their wake-ups, never awaited.
   */
  queueWakeUps<K extends PlatformJobName>(
    name: K,
    jobs: { jobId: string; payload: PlatformJobMap[K]; delayMs: number }[],
  ): void {
    for (const { jobId, payload, delayMs } of jobs)
      void this.queues
        .add(name, payload, { jobId, delayMs })
        .catch((error: unknown) =>
          this.warnThrottled(error, 'could not queue a timer wake-up; the reconciler fires it'),
        );
  }

  /** Cancels a timer: the row goes at once; the wake-up, if Redis answers, after. */
  async remove(jobId: string): Promise<void> {
    await this.timers.delete(jobId);
    void this.queues.remove(jobId).catch(() => undefined);
  }

  schedule<K extends PlatformJobName>(name: K, payload: PlatformJobMap[K], options: ScheduleOptions): Promise<void> {
    return this.queues.schedule(name, payload, options);
  }

  /** Called by platform.ts once the ports are bound: a start that fails must not run jobs (e.g. notify contacts). */
  async start(): Promise<void> {
    const handlers = {} as Record<PlatformJobName, Handler<never>>;
    for (const name of ALL_JOBS) {
      // A job of a domain that is not loaded is logged and dropped, not retried forever.
      handlers[name] = (payload, meta) => (meta.scheduled ? this.run(name, payload, meta) : this.wakeUp(meta.jobId));
    }
    await this.queues.process(handlers as unknown as JobHandlers<PlatformJobMap>, { concurrency: 20 });
    this.reconcileTimer = setInterval(() => void this.reconcile(), RECONCILE_EVERY_MS);
    this.reconcileTimer.unref();
  }

  private run(name: PlatformJobName, payload: unknown, meta: JobMeta): Promise<void> {
    const handler = this.handlers[name] as Handler<PlatformJobName> | undefined;
    // A job of a domain that is not loaded is logged and dropped, not retried forever.
    if (!handler)
      return Promise.resolve(this.repeated.warn(`no-handler:${name}`, { job: name }, 'no handler registered for job'));
    return handler(payload as never, meta as JobMeta<PlatformJobName>);
  }

  /** A BullMQ wake-up: runs its timer if the row is still there, due and free. A failure throws, so BullMQ retries too. */
  private async wakeUp(jobId: string): Promise<void> {
    const timer = await this.timers.claim(jobId);
    if (timer) await this.fire(timer, true);
  }

  /** Fires every timer that fell due and was not fired (its wake-up lost or its retries used up). */
  async reconcile(): Promise<void> {
    if (this.reconciling) return;
    this.reconciling = true;
    try {
      for (;;) {
        const overdue = await this.timers.claimOverdue(RECONCILE_GRACE_MS, RECONCILE_BATCH);
        if (overdue.length > 0) this.log.info({ timers: overdue.map((t) => t.jobId) }, 'firing overdue timers');
        await Promise.all(overdue.map((timer) => this.fire(timer, false)));
        if (overdue.length < RECONCILE_BATCH || this.reconcileTimer === null) break;
      }
    } catch (error) {
      this.warnThrottled(error, 'timer reconciler could not reach the database; retrying');
    } finally {
      this.reconciling = false;
    }
  }

  private async fire(timer: ClaimedTimer, rethrow: boolean): Promise<void> {
    const meta = { jobId: timer.jobId, name: timer.name, attempt: timer.attempts, scheduled: false };
    try {
      await this.run(timer.name as PlatformJobName, timer.payload, meta);
    } catch (error) {
      if (error instanceof PermanentJobError) {
        this.repeated.error(
          `timer-dropped:${timer.name}`,
          { err: error, job: timer.name, jobId: timer.jobId },
          'timer can never succeed; dropped',
        );
        await this.timers.delete(timer.jobId);
        return;
      }
      this.repeated.warn(
        `timer-failed:${timer.name}`,
        { err: error, job: timer.name, jobId: timer.jobId, attempt: timer.attempts },
        'timer failed',
      );
      await this.timers.release(timer.jobId, timer.attempts, (error as Error).message).catch(() => undefined);
      if (rethrow) throw error;
      return;
    }
    await this.timers.delete(timer.jobId);
  }

  private warnThrottled(error: unknown, message: string): void {
    this.repeated.warn(message, { err: error }, message);
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.reconcileTimer) clearInterval(this.reconcileTimer);
    this.reconcileTimer = null;
    await this.queues.close();
  }
}

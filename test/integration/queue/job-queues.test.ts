import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import { DataSource } from 'typeorm';
import { PermanentJobError, createJobQueues } from '@anxin/queue';
import type { JobHandlers, JobMeta, JobQueues, JobQueuesOptions, QueueBackendConfig } from '@anxin/queue';

const POSTGRES = { host: '127.0.0.1', port: 5432, username: 'postgres', adminDatabase: 'test' };
const REDIS_URL = 'redis://127.0.0.1:6379';

type TestJobs = {
  'escalate-alert': { alertId: string; level: number };
  'prune-readings': { olderThanDays: number };
};

interface Run {
  name: string;
  payload: unknown;
  meta: JobMeta;
  at: number;
}

/** One backend the whole suite runs against, isolated by its own database or key prefix. */
interface BackendFixture {
  kind: QueueBackendConfig['kind'];
  start(): Promise<{ config: QueueBackendConfig; prefix: string }>;
  stop(): Promise<void>;
}

const random = (): string => randomBytes(6).toString('hex');

function postgresFixture(): BackendFixture {
  const database = `anxin_q_${random()}`;
  const admin = async <T>(use: (db: DataSource) => Promise<T>): Promise<T> => {
    const db = new DataSource({
      type: 'postgres',
      host: POSTGRES.host,
      port: POSTGRES.port,
      username: POSTGRES.username,
      database: POSTGRES.adminDatabase,
    });
    await db.initialize();
    try {
      return await use(db);
    } finally {
      await db.destroy();
    }
  };
  return {
    kind: 'postgres',
    start: async () => {
      await admin((db) => db.query(`CREATE DATABASE ${database}`));
      const { host, port, username } = POSTGRES;
      const connectionString = `postgres://${username}@${host}:${port}/${database}`;
      return { config: { kind: 'postgres', connectionString, schema: 'jobs' }, prefix: 'anxin' };
    },
    // FORCE: a connection BullMQ failed to close must not keep the database alive.
    stop: () => admin((db) => db.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`)),
  };
}

function redisFixture(): BackendFixture {
  const prefix = `anxin-q-${random()}`;
  return {
    kind: 'redis',
    start: () => Promise.resolve({ config: { kind: 'redis', url: REDIS_URL }, prefix }),
    stop: async () => {
      const redis = new Redis(REDIS_URL);
      try {
        const keys = await redis.keys(`${prefix}:*`);
        if (keys.length > 0) await redis.del(...keys);
      } finally {
        await redis.quit();
      }
    },
  };
}

async function waitFor(what: string, condition: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe.each([postgresFixture(), redisFixture()])('JobQueues on $kind', (fixture) => {
  let config: QueueBackendConfig;
  let prefix: string;
  const open: JobQueues<TestJobs>[] = [];

  beforeAll(async () => {
    ({ config, prefix } = await fixture.start());
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((queues) => queues.close()));
  });
  afterAll(() => fixture.stop());

  /** Queues on a queue name of their own, closed after each test. */
  function openQueues(queueName: string, options: Partial<JobQueuesOptions> = {}): JobQueues<TestJobs> {
    const queues = createJobQueues<TestJobs>(config, { prefix, queueName, ...options });
    open.push(queues);
    return queues;
  }

  function recorder(runs: Run[]): JobHandlers<TestJobs> {
    const record = (name: string, payload: unknown, meta: JobMeta): Promise<void> => {
      runs.push({ name, payload, meta, at: Date.now() });
      return Promise.resolve();
    };
    return {
      'escalate-alert': (payload, meta) => record('escalate-alert', payload, meta),
      'prune-readings': (payload, meta) => record('prune-readings', payload, meta),
    };
  }

  const idsOf = (runs: Run[]): string[] => runs.map((run) => run.meta.jobId);
  const onlyRun = (runs: Run[]): Run => {
    if (runs.length !== 1 || runs[0] === undefined) throw new Error(`expected one run, got ${runs.length}`);
    return runs[0];
  };

  it('processes an added job with its typed payload', async () => {
    const queues = openQueues(`added-${random()}`);
    const runs: Run[] = [];
    await queues.process(recorder(runs));

    const jobId = await queues.add('escalate-alert', { alertId: 'a1', level: 2 });

    await waitFor('the job', () => runs.length === 1);
    expect(onlyRun(runs)).toMatchObject({
      name: 'escalate-alert',
      payload: { alertId: 'a1', level: 2 },
      meta: { jobId, attempt: 1, name: 'escalate-alert', scheduled: false },
    });
  });

  it('runs a delayed job after its delay and not before', async () => {
    const queues = openQueues(`delayed-${random()}`);
    const runs: Run[] = [];
    await queues.process(recorder(runs));

    const addedAt = Date.now();
    await queues.add('escalate-alert', { alertId: 'a1', level: 1 }, { delayMs: 300 });

    await waitFor('the delayed job', () => runs.length === 1);
    expect(onlyRun(runs).at - addedAt).toBeGreaterThanOrEqual(300);
  });

  it('processes a job once when its jobId is added again, delayed or not', async () => {
    const queues = openQueues(`dedup-${random()}`);
    const runs: Run[] = [];
    await queues.process(recorder(runs));
    const now = `escalate:${random()}:1`;
    const later = `escalate:${random()}:2`;

    expect(await queues.add('escalate-alert', { alertId: 'a1', level: 1 }, { jobId: now })).toBe(now);
    expect(await queues.add('escalate-alert', { alertId: 'a1', level: 9 }, { jobId: now })).toBe(now);
    await queues.add('escalate-alert', { alertId: 'a1', level: 2 }, { jobId: later, delayMs: 300 });
    await queues.add('escalate-alert', { alertId: 'a1', level: 9 }, { jobId: later, delayMs: 300 });
    // A job that already completed is retained, so re-adding it is a no-op too.
    await waitFor('the immediate job', () => idsOf(runs).includes(now));
    await queues.add('escalate-alert', { alertId: 'a1', level: 9 }, { jobId: now });
    // Jobs run in order of due time, so once this sentinel ran, any duplicate would have.
    await queues.add('prune-readings', { olderThanDays: 1 }, { jobId: `sentinel-${random()}`, delayMs: 600 });

    await waitFor('the sentinel', () => runs.some((run) => run.name === 'prune-readings'));
    expect(runs.filter((run) => run.name === 'escalate-alert').map((run) => run.payload)).toEqual([
      { alertId: 'a1', level: 1 },
      { alertId: 'a1', level: 2 },
    ]);
  });

  it('cancels a delayed job on remove() and lets a running job finish', async () => {
    const queues = openQueues(`remove-${random()}`);
    const runs: Run[] = [];
    const finished: string[] = [];
    let release = (): void => {};
    const blocker = new Promise<void>((resolve) => (release = resolve));
    await queues.process(
      {
        ...recorder(runs),
        'prune-readings': async (payload, meta) => {
          runs.push({ name: 'prune-readings', payload, meta, at: Date.now() });
          if (payload.olderThanDays === 0) await blocker;
          finished.push(meta.jobId);
        },
      },
      { concurrency: 2 },
    );

    const cancelled = `escalate:${random()}:2`;
    await queues.add('escalate-alert', { alertId: 'a1', level: 2 }, { jobId: cancelled, delayMs: 300 });
    await queues.remove(cancelled);
    await queues.remove(cancelled);

    const running = await queues.add('prune-readings', { olderThanDays: 0 });
    await waitFor('the running job', () => idsOf(runs).includes(running));
    await queues.remove(running);
    release();

    const sentinel = await queues.add('prune-readings', { olderThanDays: 1 }, { delayMs: 600 });
    await waitFor('the sentinel', () => finished.includes(sentinel));
    expect(finished).toEqual([running, sentinel]);
    expect(idsOf(runs)).not.toContain(cancelled);
  });

  it('fails a job whose handler throws PermanentJobError without retrying it', async () => {
    const failures: { message: string; attempt: number; willRetry: boolean }[] = [];
    const queues = openQueues(`permanent-${random()}`, {
      onJobFailed: (error, { attempt, willRetry }) => failures.push({ message: error.message, attempt, willRetry }),
    });
    let runs = 0;
    await queues.process({
      ...recorder([]),
      'escalate-alert': () => {
        runs += 1;
        return Promise.reject(new PermanentJobError('alert does not exist'));
      },
    });

    await queues.add('escalate-alert', { alertId: 'gone', level: 1 });

    await waitFor('the failure', () => failures.length === 1);
    expect(failures).toEqual([{ message: 'alert does not exist', attempt: 1, willRetry: false }]);
    expect(runs).toBe(1);
  });

  it('retries a job whose handler throws an ordinary error', async () => {
    const failures: { attempt: number; willRetry: boolean }[] = [];
    const queues = openQueues(`retry-${random()}`, {
      onJobFailed: (_error, { attempt, willRetry }) => failures.push({ attempt, willRetry }),
    });
    const attempts: number[] = [];
    await queues.process({
      ...recorder([]),
      'escalate-alert': (_payload, { attempt }) => {
        attempts.push(attempt);
        return attempt === 1 ? Promise.reject(new Error('gateway timeout')) : Promise.resolve();
      },
    });

    await queues.add('escalate-alert', { alertId: 'a1', level: 1 }, { attempts: 2 });

    await waitFor('the retry', () => attempts.length === 2);
    expect(attempts).toEqual([1, 2]);
    expect(failures).toEqual([{ attempt: 1, willRetry: true }]);
  });

  it('fails a job with no handler (e.g. added by a newer release) without retrying it', async () => {
    type NewerJobs = TestJobs & { 'call-family': { residentId: string } };
    const queueName = `unknown-${random()}`;
    const failures: { message: string; willRetry: boolean }[] = [];
    const queues = openQueues(queueName, {
      onJobFailed: (error, { willRetry }) => failures.push({ message: error.message, willRetry }),
    });
    await queues.process(recorder([]));
    const newer = createJobQueues<NewerJobs>(config, { prefix, queueName });
    try {
      await newer.add('call-family', { residentId: 'r1' });
    } finally {
      await newer.close();
    }

    await waitFor('the failure', () => failures.length === 1);
    expect(failures).toEqual([{ message: 'no handler for job "call-family"', willRetry: false }]);
  });

  it('keeps a delayed job across a restart and runs it on the new worker', async () => {
    const queueName = `restart-${random()}`;
    const before: Run[] = [];
    const first = openQueues(queueName);
    await first.process(recorder(before));
    const addedAt = Date.now();
    const jobId = await first.add('escalate-alert', { alertId: 'a1', level: 3 }, { delayMs: 800 });
    await first.close();

    const after: Run[] = [];
    await openQueues(queueName).process(recorder(after));

    await waitFor('the delayed job on the new worker', () => after.length === 1);
    expect(before).toEqual([]);
    expect(onlyRun(after).meta.jobId).toBe(jobId);
    expect(onlyRun(after).at - addedAt).toBeGreaterThanOrEqual(800);
  });

  it('lets a running job finish when closed', async () => {
    const queues = openQueues(`drain-${random()}`);
    const events: string[] = [];
    await queues.process({
      ...recorder([]),
      'prune-readings': async () => {
        events.push('started');
        await new Promise((resolve) => setTimeout(resolve, 300));
        events.push('finished');
      },
    });
    await queues.add('prune-readings', { olderThanDays: 30 });
    await waitFor('the job to start', () => events.includes('started'));

    await queues.close();
    events.push('closed');

    expect(events).toEqual(['started', 'finished', 'closed']);
  });

  it('processes each job exactly once with two workers on one queue', async () => {
    const queueName = `compete-${random()}`;
    const runs: Run[] = [];
    const [one, two] = [openQueues(queueName), openQueues(queueName)];
    await Promise.all([
      one.process(recorder(runs), { concurrency: 5 }),
      two.process(recorder(runs), { concurrency: 5 }),
    ]);

    const ids = await Promise.all(
      Array.from({ length: 50 }, (_, level) => one.add('escalate-alert', { alertId: 'a1', level })),
    );
    await waitFor('all jobs', () => runs.length >= 50);
    const sentinel = await two.add('prune-readings', { olderThanDays: 1 }, { delayMs: 200 });
    await waitFor('the sentinel', () => idsOf(runs).includes(sentinel));

    expect(
      idsOf(runs)
        .filter((id) => id !== sentinel)
        .sort(),
    ).toEqual([...ids].sort());
  });

  it('runs a scheduled job repeatedly and stops once unscheduled', async () => {
    const queues = openQueues(`schedule-${random()}`);
    const runs: Run[] = [];
    await queues.process(recorder(runs));

    // Upserting the same scheduler twice keeps one schedule.
    await queues.schedule('prune-readings', { olderThanDays: 30 }, { schedulerId: 'prune', every: 300 });
    await queues.schedule('prune-readings', { olderThanDays: 30 }, { schedulerId: 'prune', every: 300 });
    await waitFor('three runs', () => runs.length >= 3);
    expect(await queues.unschedule('prune')).toBe(true);
    const runsWhenUnscheduled = runs.length;
    const sentinel = await queues.add('escalate-alert', { alertId: 'a1', level: 1 }, { delayMs: 900 });
    await waitFor('the sentinel', () => idsOf(runs).includes(sentinel));

    const scheduled = runs.filter((run) => run.name === 'prune-readings');
    expect(scheduled.every((run) => (run.payload as { olderThanDays: number }).olderThanDays === 30)).toBe(true);
    // The platform runs scheduled jobs directly and added ones only while their timer row exists.
    expect(scheduled.every((run) => run.meta.scheduled === true)).toBe(true);
    // One run may already have been claimed when unschedule() ran.
    expect(scheduled.length).toBeLessThanOrEqual(runsWhenUnscheduled + 1);
    const gaps = scheduled.slice(1).map((run, i) => run.at - (scheduled[i]?.at ?? 0));
    // Two schedules would fire close together; half the interval leaves room for timer jitter on a busy machine.
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(150);
  });
});

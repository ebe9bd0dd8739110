import { createPostgresBackend, Queue } from 'bullmq';

/**
 * Read-only view of the platform's delayed-job queue (libs/queue layout: queue `platform`, the
 * ANXIN_QUEUE_PREFIX, PostgreSQL schema `jobs` or Redis), so a test can prove a timer was really
 * cancelled rather than merely ignored when it fires.
 */
export interface JobInspector {
  /** BullMQ state of a job id (`delayed`, `waiting`, `active`, `completed`, `failed`), or null when there is none. */
  state(jobId: string): Promise<string | null>;
  /** The job's state and when it was added (ms): a re-created job has a later `addedAt`. */
  find(jobId: string): Promise<{ state: string; addedAt: number } | null>;
  close(): Promise<void>;
}

export function inspectJobs(backend: { redisUrl?: string; databaseUrl: string }, prefix: string): JobInspector {
  const queue = backend.redisUrl
    ? new Queue('platform', { connection: { url: backend.redisUrl }, prefix })
    : new Queue(
        `${prefix}.platform`,
        { connection: { connectionString: backend.databaseUrl, schema: 'jobs', migrate: true } },
        createPostgresBackend,
      );
  const find = async (jobId: string) => {
    const job = await queue.getJob(jobId);
    if (!job) return null;
    const state = await job.getState();
    return state === 'unknown' ? null : { state, addedAt: job.timestamp };
  };
  return {
    find,
    state: async (jobId) => (await find(jobId))?.state ?? null,
    close: () => queue.close(),
  };
}

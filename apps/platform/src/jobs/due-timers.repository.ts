import type { DataSource, EntityManager } from 'typeorm';

export interface ClaimedTimer {
  jobId: string;
  name: string;
  payload: unknown;
  attempts: number;
}

/** How long a claimed timer is left to its runner before another may take it (a crash mid-run). */
const LEASE_SECONDS = 60;
/** Back-off after a failed run: 2^attempts seconds, at most a minute; a due timer is never given up. */
const MAX_BACKOFF_SECONDS = 60;

/**
 * A statement's part (a CTE body) that adds the timers `rows` selects: columns job_id, name, payload (jsonb)
 * and delay_ms, as `insertMany` takes them. For a statement that creates what the timers are for, so the
 * timers commit with it in no extra round trip (issue 13: an SOS's alert and its escalation timer); the
 * caller queues the wake-ups after commit (JobsService.queueWakeUps).
 */
export const insertDueTimersFrom = (rows: string): string => `INSERT INTO due_timers (job_id, name, payload, due_at)
    SELECT job_id, name, payload, now() + make_interval(secs => delay_ms / 1000) FROM (${rows}) AS t
    ON CONFLICT (job_id) DO NOTHING`;

/**
 * `due_timers`: one row per pending timer, the durable truth the BullMQ
 * delayed job only wakes up. A run first claims its row (a lease, so exactly
 * one runner at a time across processes), and deletes it once the handler
 * succeeded; a row that is gone means done or cancelled.
 */
export class DueTimersRepository {
  constructor(private readonly db: DataSource) {}

  /** Adding an id that is still pending is a no-op, as in BullMQ. */
  async insert(
    manager: EntityManager | undefined,
    timer: { jobId: string; name: string; payload: unknown; delayMs: number },
  ): Promise<void> {
    await (manager ?? this.db.manager).query(
      `INSERT INTO due_timers (job_id, name, payload, due_at)
       VALUES ($1, $2, $3::jsonb, now() + make_interval(secs => $4::double precision / 1000))
       ON CONFLICT (job_id) DO NOTHING`,
      [timer.jobId, timer.name, JSON.stringify(timer.payload ?? null), timer.delayMs],
    );
  }

  /** `insert` of several timers in one statement. */
  async insertMany(
    manager: EntityManager | undefined,
    timers: { jobId: string; name: string; payload: unknown; delayMs: number }[],
  ): Promise<void> {
    await (manager ?? this.db.manager).query(
      insertDueTimersFrom(
        `SELECT * FROM unnest($1::text[], $2::text[], $3::jsonb[], $4::double precision[]) AS v(job_id, name, payload, delay_ms)`,
      ),
      [
        timers.map((t) => t.jobId),
        timers.map((t) => t.name),
        timers.map((t) => JSON.stringify(t.payload ?? null)),
        timers.map((t) => t.delayMs),
      ],
    );
  }

  async delete(jobId: string): Promise<void> {
    await this.db.query(`DELETE FROM due_timers WHERE job_id = $1`, [jobId]);
  }

  /**
   * The wake-up's claim: only a row that is due (a second of clock slack
   * between Redis and PostgreSQL) and not held by another runner. Null means
   * done, cancelled, held elsewhere or not committed yet: the reconciler covers the last two.
   */
  async claim(jobId: string): Promise<ClaimedTimer | null> {
    const [rows] = await this.db.query<[ClaimedTimer[], number]>(
      `UPDATE due_timers SET claimed_until = now() + make_interval(secs => $2), attempts = attempts + 1
       WHERE job_id = $1 AND due_at <= now() + interval '1 second' AND (claimed_until IS NULL OR claimed_until < now())
       RETURNING job_id AS "jobId", name, payload, attempts`,
      [jobId, LEASE_SECONDS],
    );
    return rows[0] ?? null;
  }

  /**
   * The reconciler's claim: rows due at least `graceMs` ago that nobody holds,
   * oldest first; SKIP LOCKED lets every process reconcile without waiting on another.
   */
  async claimOverdue(graceMs: number, limit: number): Promise<ClaimedTimer[]> {
    const [rows] = await this.db.query<[ClaimedTimer[], number]>(
      `UPDATE due_timers t SET claimed_until = now() + make_interval(secs => $3), attempts = t.attempts + 1
       WHERE t.job_id IN (
         SELECT job_id FROM due_timers
         WHERE due_at <= now() - make_interval(secs => $1::double precision / 1000)
           AND (claimed_until IS NULL OR claimed_until < now())
         ORDER BY due_at LIMIT $2 FOR UPDATE SKIP LOCKED)
       RETURNING t.job_id AS "jobId", t.name, t.payload, t.attempts`,
      [graceMs, limit, LEASE_SECONDS],
    );
    return rows;
  }

  /** A failed run: the row stays and is retried after a back-off. */
  async release(jobId: string, attempts: number, error: string): Promise<void> {
    await this.db.query(
      `UPDATE due_timers SET claimed_until = now() + make_interval(secs => $2), last_error = $3 WHERE job_id = $1`,
      [jobId, Math.min(2 ** attempts, MAX_BACKOFF_SECONDS), error.slice(0, 500)],
    );
  }
}

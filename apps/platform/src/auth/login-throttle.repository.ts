import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';

export interface ThrottleLimits {
  perUser: number;
  perAddress: number;
  firstDelaySeconds: number;
  windowSeconds: number;
}

/** The address-wide row of `login_throttle` (every username tried from the address). */
const ANY_USER = '';

/**
 * Failed logins per (username, address) and per address (issue 12 items 6, 8).
 * An attempt is counted as a failure before its password is checked, under a
 * per-address lock, so a burst of concurrent tries cannot all read "0 failures":
 * at most the limit get through. A correct password takes its count back.
 * Past the limit each further try must wait a delay doubling up to the window;
 * the user stays free to log in from any other address.
 */
@Injectable()
export class LoginThrottleRepository {
  /** Per address, this process' attempts wait here rather than on the database lock, each holding a pool connection. */
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(private readonly db: DataSource) {}

  /**
   * Runs `work` in a transaction holding the address' lock. A burst from one
   * address queues in memory first, so it takes one pool connection, never the
   * whole pool that ingest and health need; the advisory lock orders processes.
   */
  private locked<T>(address: string, work: (manager: EntityManager) => Promise<T>): Promise<T> {
    const run = (this.queues.get(address) ?? Promise.resolve())
      .catch(() => undefined)
      .then(() =>
        this.db.transaction(async (manager) => {
          await manager.query(`SELECT pg_advisory_xact_lock(hashtext('anxin.login:' || $1))`, [address]);
          return work(manager);
        }),
      );
    this.queues.set(address, run);
    const forget = () => {
      if (this.queues.get(address) === run) this.queues.delete(address);
    };
    run.then(forget, forget);
    return run;
  }

  /** Counts one attempt; null if it may go ahead, or the seconds it must wait (nothing counted). */
  async reserveAttempt(username: string, address: string, limits: ThrottleLimits): Promise<number | null> {
    return this.locked(address, async (manager) => {
      // A row is forgotten a window after its last failure or the end of its wait, whichever is later.
      const rows = await manager.query<{ wait: number | null }[]>(
        `WITH keys (username, lim) AS (VALUES (lower($2::text), $3::int), ('${ANY_USER}', $4::int)),
         cur AS (
           SELECT k.username, k.lim,
                  CASE WHEN greatest(t.blocked_until, t.last_failure_at) > now() - make_interval(secs => $6)
                       THEN t.failures ELSE 0 END AS failures,
                  CASE WHEN t.blocked_until > now() THEN t.blocked_until END AS blocked_until
           FROM keys k LEFT JOIN login_throttle t ON t.address = $1 AND t.username = k.username
         ),
         verdict AS (SELECT max(blocked_until) AS blocked_until FROM cur),
         counted AS (
           INSERT INTO login_throttle AS t (username, address, failures, blocked_until, last_failure_at)
           SELECT c.username, $1, c.failures + 1,
                  CASE WHEN c.failures + 1 >= c.lim THEN now() + least(
                    make_interval(secs => $5 * 2 ^ least(c.failures + 1 - c.lim, 20)),
                    make_interval(secs => $6)) END,
                  now()
           FROM cur c, verdict v WHERE v.blocked_until IS NULL
           ON CONFLICT (address, username) DO UPDATE
             SET failures = EXCLUDED.failures, blocked_until = EXCLUDED.blocked_until,
                 last_failure_at = EXCLUDED.last_failure_at
         )
         SELECT ceil(extract(epoch FROM blocked_until - now()))::int AS wait FROM verdict`,
        [address, username, limits.perUser, limits.perAddress, limits.firstDelaySeconds, limits.windowSeconds],
      );
      const wait = rows[0]?.wait ?? null;
      return wait === null ? null : Math.max(1, wait);
    });
  }

  /**
   * Takes a counted attempt back: after a correct password (`succeeded`: the
   * (username, address) count is cleared too), or when it was never checked.
   */
  async giveBack(username: string, address: string, limits: ThrottleLimits, succeeded: boolean): Promise<void> {
    // Under the address lock too: the rows are written in one order only, so no deadlock.
    await this.locked(address, async (manager) => {
      await manager.query(
        `WITH next AS (
         SELECT username,
                CASE WHEN $4::boolean AND username <> '${ANY_USER}' THEN 0 ELSE greatest(failures - 1, 0) END AS failures,
                CASE WHEN username = '${ANY_USER}' THEN $3::int ELSE $5::int END AS lim
         FROM login_throttle WHERE address = $1 AND username IN (lower($2), '${ANY_USER}')
       )
       UPDATE login_throttle t
       SET failures = next.failures, blocked_until = CASE WHEN next.failures >= next.lim THEN t.blocked_until END
       FROM next WHERE t.address = $1 AND t.username = next.username`,
        [address, username, limits.perAddress, succeeded, limits.perUser],
      );
    });
  }

  /** Rows nobody would read any more (their window passed). */
  async forgetOld(windowSeconds: number): Promise<void> {
    await this.db.query(
      `DELETE FROM login_throttle
       WHERE last_failure_at < now() - make_interval(secs => $1)
         AND coalesce(blocked_until, last_failure_at) < now() - make_interval(secs => $1)`,
      [windowSeconds],
    );
  }
}

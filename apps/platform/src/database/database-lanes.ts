import type { DataSource } from 'typeorm';
import { createDataSource } from './data-source';

/**
 * Separate connection pools, so one kind of work can never starve another
 * (issue 13): under overload, bulk telemetry may queue, but an SOS is stored
 * and raised on connections nobody else takes, and rule work cannot hold the
 * connections ingest needs. The `main` lane (TypeORM's default DataSource)
 * serves the HTTP API, sweeps, jobs and dispatch.
 */
export interface DatabaseLanes {
  /** Bulk ingest: telemetry, routine events, last-seen/online writes. Serial batchers: each holds one connection. */
  readonly ingest: DataSource;
  /**
   * Life-safety events (sos, fall, smoke, gas, water_leak): their insert and the rule pass that raises their alerts.
   * Pipelined: a press is stored and raised in one round trip (transactionInOneRoundTrip).
   */
  readonly lifeSafety: DataSource;
  /** Telemetry rules (vitals, safe zone, steps): bounded, coalesced work that may fall behind but never blocks ingest. */
  readonly telemetryRules: DataSource;
}

export const DATABASE_LANES = Symbol('DATABASE_LANES');

/** Connections per lane (the main pool keeps its own size). */
export const LANE_POOL_SIZES: Record<keyof DatabaseLanes, number> = { ingest: 4, lifeSafety: 3, telemetryRules: 2 };

/** Opens every lane's pool (no migrations: the main DataSource ran them). */
export async function openDatabaseLanes(url: string): Promise<DatabaseLanes & { close(): Promise<void> }> {
  const entries = Object.entries(LANE_POOL_SIZES) as [keyof DatabaseLanes, number][];
  const opened: DataSource[] = [];
  const close = async () => {
    await Promise.all(opened.map((db) => db.destroy().catch(() => undefined)));
  };
  try {
    const lanes = {} as Record<keyof DatabaseLanes, DataSource>;
    for (const [name, size] of entries) {
      const db = createDataSource(url, size, `anxin-${name}`, name === 'lifeSafety');
      await db.initialize();
      opened.push(db);
      lanes[name] = db;
    }
    return { ...lanes, close };
  } catch (error) {
    await close();
    throw error;
  }
}

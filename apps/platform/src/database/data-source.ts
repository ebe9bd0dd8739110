import { DataSource } from 'typeorm';
import { AuditEntryEntity } from '../audit/audit-entry.entity';
import { DeviceEntity } from '../devices/device.entity';
import { OrgUnitEntity } from '../org-units/org-unit.entity';
import { ResidentEntity } from '../residents/resident.entity';
import { UserEntity } from '../users/user.entity';
import { Foundation1763900000000 } from './migrations/1763900000000-foundation';
import { Ingest1763900100000 } from './migrations/1763900100000-ingest';
import { Alerts1763900200000 } from './migrations/1763900200000-alerts';
import { Dispatch1763900300000 } from './migrations/1763900300000-dispatch';
import { IngestThroughput1763900400000 } from './migrations/1763900400000-ingest-throughput';
import { Supervision1763901000000 } from './migrations/1763901000000-supervision';
import { DispatchSafety1763901100000 } from './migrations/1763901100000-dispatch-safety';
import { DueTimers1763901250000 } from './migrations/1763901250000-due-timers';
import { Sessions1763901412000 } from './migrations/1763901412000-sessions';
import { Deployment1763901500000 } from './migrations/1763901500000-deployment';
import { ResidentArchive1763901600000 } from './migrations/1763901600000-resident-archive';
import { ServiceOrgKinds1763901700000 } from './migrations/1763901700000-service-org-kinds';
import { CarePlanStatus1763901710000 } from './migrations/1763901710000-care-plan-status';
import { PersonalData1763901720000 } from './migrations/1763901720000-personal-data';
import { CaregiverShifts1763901730000 } from './migrations/1763901730000-caregiver-shifts';
import { OrgUnitActive1763901740000 } from './migrations/1763901740000-org-unit-active';
import { PendingEventsByResident1763901750000 } from './migrations/1763901750000-pending-events-by-resident';

export const ENTITIES = [OrgUnitEntity, UserEntity, ResidentEntity, DeviceEntity, AuditEntryEntity];
export const MIGRATIONS = [
  Foundation1763900000000,
  Ingest1763900100000,
  Alerts1763900200000,
  Dispatch1763900300000,
  IngestThroughput1763900400000,
  Supervision1763901000000,
  DispatchSafety1763901100000,
  DueTimers1763901250000,
  Sessions1763901412000,
  Deployment1763901500000,
  ResidentArchive1763901600000,
  ServiceOrgKinds1763901700000,
  CarePlanStatus1763901710000,
  PersonalData1763901720000,
  CaregiverShifts1763901730000,
  OrgUnitActive1763901740000,
  PendingEventsByResident1763901750000,
];

/** `applicationName` shows in pg_stat_activity, so an operator can tell the lanes' connections apart. */
/**
 * `pipelined`: node-postgres sends each query at once instead of after the one
 * before has answered (transactionInOneRoundTrip); awaited one by one, queries
 * behave as without it.
 */
export function createDataSource(url: string, poolSize = 20, applicationName = 'anxin', pipelined = false): DataSource {
  return new DataSource({
    type: 'postgres',
    url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    synchronize: false,
    migrationsRun: false,
    // A reconnect storm queues for connections rather than failing fast.
    // Idle connections live a minute (pg's default is 10 s): reopening one per burst costs a backend fork and a login.
    extra: {
      max: poolSize,
      connectionTimeoutMillis: 30_000,
      idleTimeoutMillis: 60_000,
      application_name: applicationName,
      pipeline: pipelined,
    },
  });
}

/** Runs pending migrations; the advisory lock makes concurrent starts of several processes safe. */
export async function migrate(db: DataSource): Promise<string[]> {
  const runner = db.createQueryRunner();
  await runner.connect();
  try {
    await runner.query(`SELECT pg_advisory_lock(hashtext('anxin.migrations'))`);
    const done = await db.runMigrations({ transaction: 'each' });
    return done.map((m) => m.name);
  } finally {
    await runner.query(`SELECT pg_advisory_unlock(hashtext('anxin.migrations'))`).catch(() => undefined);
    await runner.release();
  }
}

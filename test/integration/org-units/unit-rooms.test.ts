import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import type { DataSource } from 'typeorm';
import { createDataSource, migrate } from '../../../apps/platform/src/database/data-source';
import { ORG_UNIT_MOVED_CHANNEL } from '../../../apps/platform/src/org-units/org-unit-changes';
import { UnitRooms } from '../../../apps/platform/src/realtime/unit-rooms';
import { ALL_ROOM, unitRoom } from '../../../apps/platform/src/realtime/socket-auth';
import { createTestDatabase, type TestDatabase } from '../../support/test-database';
import { until } from '../../support/until';

/**
 * Issue 16: the realtime fan-out caches each unit's ancestry and forgets it when a move is announced.
 * A move that commits (and is heard of) while an ancestry is being read must not leave the old one cached.
 */
describe('unit rooms after a move', () => {
  let database: TestDatabase;
  let db: DataSource;
  let rooms: UnitRooms;
  const queried: string[] = [];
  /** Runs once, after the next read of `unitId`'s path returned and before UnitRooms uses it. */
  let afterRead: { unitId: string; run: () => Promise<void> } | null = null;

  async function insertUnit(kind: string, parent: { id: string; path: string } | null) {
    const id = randomUUID();
    const path = `${parent?.path ?? '/'}${id}/`;
    await db.query(`INSERT INTO org_units (id, name, kind, parent_id, path) VALUES ($1, $2, $3, $4, $5)`, [
      id,
      `unit ${id}`,
      kind,
      parent?.id ?? null,
      path,
    ]);
    return { id, path };
  }

  beforeAll(async () => {
    database = await createTestDatabase();
    db = createDataSource(database.url, 4);
    await db.initialize();
    await migrate(db);
    // The real database, with a seam between a path being read and UnitRooms caching it.
    const interleaved = {
      query: async (sql: string, params: string[]) => {
        const rows = await db.query(sql, params);
        queried.push(params[0]!);
        const step = afterRead;
        if (step && step.unitId === params[0]) {
          afterRead = null;
          await step.run();
        }
        return rows;
      },
    } as unknown as DataSource;
    rooms = new UnitRooms(interleaved);
    await rooms.start(database.url, pino({ level: 'silent' }));
  });
  afterAll(async () => {
    await rooms?.stop();
    await db?.destroy();
    await database?.drop();
  });

  it('does not cache an ancestry read just before a move it then heard of', async () => {
    const center = await insertUnit('center', null);
    const from = await insertUnit('station', center);
    const to = await insertUnit('station', center);
    const community = await insertUnit('community', from);
    const witness = await insertUnit('station', center);
    await rooms.roomsFor(witness.id); // cached: it is read again only once the cache is forgotten
    const reads = () => queried.filter((id) => id === witness.id).length;
    expect(reads()).toBe(1);

    afterRead = {
      unitId: community.id,
      run: async () => {
        // The move commits and announces itself, as OrgUnitsService.update does, and is heard of...
        await db.transaction(async (manager) => {
          await manager.query(`UPDATE org_units SET path = $2, parent_id = $3 WHERE id = $1`, [
            community.id,
            `${to.path}${community.id}/`,
            to.id,
          ]);
          await manager.query(`SELECT pg_notify($1, $2)`, [ORG_UNIT_MOVED_CHANNEL, community.id]);
        });
        await until('the move to be heard of', async () => {
          const before = reads();
          await rooms.roomsFor(witness.id);
          return reads() > before ? true : undefined;
        });
      },
    };
    // ...before the ancestry read just before it is cached.
    expect(await rooms.roomsFor(community.id)).toEqual(
      [center.id, from.id, community.id].map(unitRoom).concat(ALL_ROOM),
    );
    expect(afterRead).toBeNull();

    expect(await rooms.roomsFor(community.id)).toEqual([center.id, to.id, community.id].map(unitRoom).concat(ALL_ROOM));
  });
});

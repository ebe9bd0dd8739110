import type { DataSource } from 'typeorm';
import { ALL_ROOM, unitRoom } from './socket-auth';

/** The rooms that must hear about something in a unit: the unit, its ancestors, and admins. */
export class UnitRooms {
  private readonly cache = new Map<string, string[]>();

  constructor(private readonly db: DataSource) {}

  async roomsFor(unitId: string): Promise<string[]> {
    let rooms = this.cache.get(unitId);
    if (!rooms) {
      // A unit's ancestry never changes (units are not moved), so caching is safe.
      const rows = await this.db.query<{ path: string }[]>(`SELECT path FROM org_units WHERE id = $1`, [unitId]);
      const ids = (rows[0]?.path ?? `/${unitId}/`).split('/').filter(Boolean);
      rooms = [...ids.map(unitRoom), ALL_ROOM];
      this.cache.set(unitId, rooms);
    }
    return rooms;
  }
}

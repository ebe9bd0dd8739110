import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { ChannelListener } from '../database/channel-listener';
import { ORG_UNIT_MOVED_CHANNEL } from '../org-units/org-unit-changes';
import { ALL_ROOM, unitRoom } from './socket-auth';

/** The rooms that must hear about something in a unit: the unit, its ancestors, and admins. */
export class UnitRooms {
  private readonly cache = new Map<string, string[]>();
  /** Bumped by every forget: an ancestry read before a move was heard of is answered but not cached. */
  private generation = 0;
  private listener: ChannelListener | null = null;

  constructor(private readonly db: DataSource) {}

  /**
   * Units can be moved (issue 16): every process forgets its cached ancestries when one is, and caches
   * nothing while it cannot hear of moves (before start, or while the listener is reconnecting).
   */
  async start(databaseUrl: string, log: Logger): Promise<void> {
    const forget = () => {
      this.generation += 1;
      this.cache.clear();
    };
    const listener = new ChannelListener(
      databaseUrl,
      [ORG_UNIT_MOVED_CHANNEL],
      { notified: forget, lost: forget, resumed: forget },
      log,
    );
    await listener.start();
    this.listener = listener;
  }

  async stop(): Promise<void> {
    await this.listener?.stop();
    this.listener = null;
  }

  async roomsFor(unitId: string): Promise<string[]> {
    const cached = this.cache.get(unitId);
    if (cached) return cached;
    const generation = this.generation;
    const rows = await this.db.query<{ path: string }[]>(`SELECT path FROM org_units WHERE id = $1`, [unitId]);
    const ids = (rows[0]?.path ?? `/${unitId}/`).split('/').filter(Boolean);
    const rooms = [...ids.map(unitRoom), ALL_ROOM];
    if (this.listener?.listening && generation === this.generation) this.cache.set(unitId, rooms);
    return rooms;
  }
}

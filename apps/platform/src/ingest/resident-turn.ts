import type { EntityManager } from 'typeorm';
import { preparedQueryIn } from '../database/prepared-query';

/**
 * Per-resident order of stored events across processes (issue 14). The rule passes apply a
 * resident's events in id order, but ids are drawn when a row is inserted, not when it commits:
 * another process's `sos` still in flight (id 10) could commit after this process's `sos_cancel`
 * (id 11), and the cancel would be applied first, leaving the SOS open. Every event insert first
 * takes its residents' turns — transaction-scoped advisory locks, released at commit — so a
 * resident's ids are drawn in commit order. Residents share 256 turns (a statement never holds
 * more locks than that; PostgreSQL's lock table is sized per connection), taken in key order so
 * two writers never deadlock.
 */
const RESIDENT_TURN_LOCK_CLASS = 0x616e79;
const TURNS = 256;

/** A statement taking the turns of the residents in the uuid[] expression `residentIds` (one row). */
export const takeResidentTurns = (residentIds: string): string =>
  `SELECT count(*) FROM (
     SELECT pg_advisory_xact_lock(${RESIDENT_TURN_LOCK_CLASS}, turn)
       FROM (SELECT DISTINCT hashtext(r::text) & ${TURNS - 1} AS turn FROM unnest(${residentIds}) r) turns
      ORDER BY turn) taken`;

/** Takes `residentIds`' turns in `manager`'s transaction, as a statement of its own. */
export async function takeResidentTurnsIn(manager: EntityManager, residentIds: string[]): Promise<void> {
  await preparedQueryIn(manager, 'ingest_take_turns', takeResidentTurns('$1::uuid[]'), [residentIds]);
}

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

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * `takeResidentTurns` of `residentIds` as text, the ids as literals, so it can
 * go with START TRANSACTION in one query (database/one-round-trip-transaction.ts).
 * Only uuids get in.
 */
export function residentTurnsStatement(residentIds: string[]): string {
  for (const id of residentIds) if (!UUID.test(id)) throw new Error(`resident id ${JSON.stringify(id)} is not a uuid`);
  return takeResidentTurns(`ARRAY[${residentIds.map((id) => `'${id}'`).join(', ')}]::uuid[]`);
}

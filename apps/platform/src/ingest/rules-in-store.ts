import type { DataSource, EntityManager } from 'typeorm';
import type { StoredEventId } from './events.handler';
import type { EventRow } from './ingest.repository';

/** What storing life-safety events with their rules did. */
export interface StoredWithRules {
  /** Per row, in order: its new id (null for a repeated (device, seq)) and whether its rules ran. */
  stored: StoredEventId[];
  /** After commit: what the rules raised is announced. */
  afterCommit: () => void;
}

/** Ingest's own insert of event rows, in `manager`'s transaction. */
export type InsertEvents = (manager: EntityManager, rows: EventRow[]) => Promise<(string | null)[]>;

/**
 * Stores life-safety events on `lane` and applies their alert rules in the same
 * transaction (issue 13, S3/S7: an SOS is stored and raised with one commit,
 * and its PUBACK follows its alert's). Registered by the alert engine, which
 * ingest does not depend on; events it cannot rule yet are left to the passes.
 */
export type StoreWithRules = (lane: DataSource, rows: EventRow[], insert: InsertEvents) => Promise<StoredWithRules>;

/** A failure of the rules, not of the insert alone: the events are stored alone and left to the rule passes. */
export class RulesInStoreFailed extends Error {
  constructor(override readonly cause: unknown) {
    super('rules failed inside the storing transaction');
  }
}

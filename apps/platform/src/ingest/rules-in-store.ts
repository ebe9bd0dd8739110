import type { EntityManager } from 'typeorm';

/** What ruling events inside their storing transaction did. */
export interface RuledInStore {
  /** The ids of the events ruled (others are left to the rule passes). */
  ruled: ReadonlySet<string>;
  /** After commit: what the rules raised is announced. */
  afterCommit(): void;
}

/**
 * Applies the alert rules to events just inserted by `manager`'s transaction
 * (issue 13, S3/S7: an SOS is stored and raised with one commit, not two, and
 * its PUBACK follows the alert's commit). Registered by the alert engine, which
 * ingest does not depend on.
 */
export type RulesInStore = (manager: EntityManager, eventIds: string[]) => Promise<RuledInStore>;

/** A failure of the rules, not of the insert: the events are stored alone and left to the rule passes. */
export class RulesInStoreFailed extends Error {
  constructor(override readonly cause: unknown) {
    super('rules failed inside the storing transaction');
  }
}

// The records the matcher works on: incidents the simulator injected (ground
// truth) and alerts it observed on /console (CONTRACT §4).
import type { AlertKind, AlertView, OrderStatus, ResolveOutcome } from '@anxin/contract';

export interface IncidentRecord {
  /** `${scenario}@${homeIndex}` */
  id: string;
  scenario: string;
  homeIndex: number;
  residentId: string;
  /** The alert it must raise; null for a look-alike. */
  expect: AlertKind | null;
  lookalikeOf: AlertKind | null;
  expectOutcome: ResolveOutcome | null;
  /** The alert is dispatched and must come back with its order in this status (nobody accepted: unassigned). */
  expectOrderStatus: OrderStatus | null;
  /** The rule's window: the alert is due at triggerAt + windowMs. */
  windowMs: number;
  startedAt: number | null;
  /** Publish time of the message that makes the incident (or its window) start. */
  triggerAt: number | null;
  /** Why an incident may not have played out as scripted (device offline, …). */
  problems: string[];
}

/** The fields of AlertView the matcher reads. */
export type ObservedAlert = Pick<AlertView, 'id' | 'residentId' | 'kind' | 'status' | 'outcome' | 'openedAt'> &
  Partial<Pick<AlertView, 'orderStatus'>>;

export interface AlertObservation {
  event: 'raised' | 'updated';
  /** Arrival time on the simulator's clock. */
  at: number;
  alert: ObservedAlert;
}

import type { AlertView } from '@anxin/contract';
import type { DeviceView, Resident } from '../registry/registry-types';

export interface AlertEvent {
  id: string;
  deviceId: string;
  type: string;
  deviceTs: string;
  receivedAt: string;
  payload: Record<string, unknown> | null;
}

export interface AuditLine {
  at: string;
  action: string;
  actorUsername: string | null;
  /** Display name, else username (issue 16). */
  actorName?: string | null;
  detail: Record<string, unknown> | string | null;
}

/** `GET /alerts/:id`. */
export type AlertDetail = AlertView & {
  resident: Resident;
  devices: DeviceView[];
  events: AlertEvent[];
  audit: AuditLine[];
};

/** `GET /alerts/:id/candidates`: eligible caregivers, best first. */
export interface DispatchCandidate {
  userId: string;
  username: string;
  displayName: string | null;
  load: number;
  distanceM: number | null;
}

/** `GET /residents/:id/vitals`: mattress readings, and wearable heart rate marked `source: 'wearable'`. */
export interface VitalsPoint {
  at: string;
  heartRate?: number | null;
  respirationRate?: number | null;
  inBed?: boolean | null;
  source?: string;
}

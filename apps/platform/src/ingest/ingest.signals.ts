import { EventEmitter } from 'node:events';
import type { DeviceType } from '@anxin/contract';

export interface IngestedDevice {
  id: string;
  type: DeviceType;
  residentId: string;
  orgUnitId: string;
  /** Expected heartbeat: the device's own interval or its type's default. */
  heartbeatSeconds: number;
  /**
   * When the connection this object belongs to was accepted (each connection has its own copy).
   * Orders online changes across processes: one from an older connection never overwrites a newer one.
   */
  connectedAt?: Date;
}

interface SignalMap {
  /**
   * A new event row was committed and waits for its rules (the alert engine also catches up from the
   * table); `lifeSafety`: its own rule pass. Not emitted for an event ruled in its storing transaction.
   */
  eventStored: [eventId: string, lifeSafety: boolean];
  telemetryStored: [device: IngestedDevice, message: Record<string, unknown>, receivedAt: Date];
}

/** In-process, typed notifications from ingest to the domains above it (alerts). */
export class IngestSignals extends EventEmitter<SignalMap> {}

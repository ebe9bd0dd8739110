import type { DeviceMessageRejectReason } from '@anxin/contract';

/** What the broker tells the device (CONTRACT §2): stored, or rejected with why. */
export type IngestOutcome =
  | { kind: 'stored' }
  | { kind: 'duplicate' }
  | { kind: 'rejected'; reason: DeviceMessageRejectReason | 'storage_unavailable'; detail: string };

export const STORED: IngestOutcome = { kind: 'stored' };

import type { TelemetryMessage } from '@anxin/contract';
import type { DeviceActivity } from './device-activity';
import type { IngestedDevice, IngestSignals } from './ingest.signals';
import { type IngestOutcome, STORED } from './ingest.outcome';
import type { TelemetryRow } from './ingest.repository';

const num = (v: unknown): number | null => (typeof v === 'number' ? v : null);
const stored = (): IngestOutcome => STORED;

/** Telemetry: batched; the device's PUBACK (QoS 1) follows the batch commit. */
export class TelemetryHandler {
  constructor(
    private readonly store: (row: TelemetryRow) => Promise<void>,
    private readonly activity: DeviceActivity,
    private readonly signals: IngestSignals,
  ) {}

  /**
   * `raw`: the payload text as received (valid JSON, checked by the contract's
   * parse), stored as it is, not serialised again. Not async: on the per-reading
   * path the batch's promise is the only one (a throw still lands in the caller's try).
   */
  handle(
    device: IngestedDevice,
    message: TelemetryMessage,
    raw: string,
    receivedAt: Date,
    redelivered: boolean,
  ): Promise<IngestOutcome> {
    const m = message as Record<string, unknown>;
    const deviceTime = new Date(message.ts);
    const reported = num(m.battery);
    const battery = reported === null ? null : Math.round(reported);
    // The rules see readings at once; storage follows in the batch.
    this.signals.emit('telemetryStored', device, m, receivedAt);
    this.activity.touch(device, receivedAt, battery);
    return this.store({
      deviceId: device.id,
      receivedAt,
      // ts is a positive safe integer, yet past year 275760 no Date holds it.
      deviceTs: Number.isFinite(deviceTime.getTime()) ? deviceTime : receivedAt,
      seq: message.seq,
      heartRate: num(m.heartRate),
      respirationRate: num(m.respirationRate),
      inBed: typeof m.inBed === 'boolean' ? m.inBed : null,
      battery,
      payload: raw,
      redelivered,
    }).then(stored);
  }
}

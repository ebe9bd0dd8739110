import type { TelemetryMessage } from '@anxin/contract';
import type { DeviceActivity } from './device-activity';
import type { IngestedDevice, IngestSignals } from './ingest.signals';
import { type IngestOutcome, STORED } from './ingest.outcome';
import type { TelemetryRow } from './ingest.repository';

const num = (v: unknown): number | null => (typeof v === 'number' ? v : null);

/** Telemetry: batched; the device's PUBACK (QoS 1) follows the batch commit. */
export class TelemetryHandler {
  constructor(
    private readonly store: (row: TelemetryRow) => Promise<void>,
    private readonly activity: DeviceActivity,
    private readonly signals: IngestSignals,
  ) {}

  async handle(
    device: IngestedDevice,
    message: TelemetryMessage,
    raw: string,
    receivedAt: Date,
    redelivered: boolean,
  ): Promise<IngestOutcome> {
    const m = message as Record<string, unknown>;
    const deviceTime = new Date(message.ts);
    const battery = num(m.battery);
    // The rules see readings at once; storage follows in the batch.
    this.signals.emit('telemetryStored', device, m, receivedAt);
    this.activity.touch(device, receivedAt, battery === null ? null : Math.round(battery));
    await this.store({
      deviceId: device.id,
      receivedAt,
      deviceTs: Number.isFinite(deviceTime.getTime()) ? deviceTime : receivedAt,
      seq: message.seq,
      heartRate: num(m.heartRate),
      respirationRate: num(m.respirationRate),
      inBed: typeof m.inBed === 'boolean' ? m.inBed : null,
      battery: battery === null ? null : Math.round(battery),
      payload: raw,
      redelivered,
    });
    return STORED;
  }
}

import type { DeviceEvent } from '@anxin/contract';
import type { PlatformMetrics } from '../metrics/metrics';
import type { DeviceActivity } from './device-activity';
import type { EventRow } from './ingest.repository';
import type { IngestedDevice, IngestSignals } from './ingest.signals';
import { type IngestOutcome, STORED } from './ingest.outcome';
import { isLifeSafetyEvent } from './life-safety.util';

const MAX_CLOCK_SKEW_MS = 24 * 3600 * 1000;

export interface CommandAcknowledger {
  acknowledge(deviceId: string, commandId: string, result: unknown): Promise<void>;
}

/** A stored event: its id, or null for a repeated (device, seq); `ruled` when its rules ran in the storing transaction. */
export interface StoredEventId {
  id: string | null;
  ruled: boolean;
}

/** Stores one event (group-committed with others). */
export type StoreEvent = (row: EventRow) => Promise<StoredEventId>;

/** Events: committed before the PUBACK, once per (device, seq). */
export class EventsHandler {
  constructor(
    private readonly store: StoreEvent,
    private readonly activity: DeviceActivity,
    private readonly signals: IngestSignals,
    private readonly metrics: PlatformMetrics,
    private readonly commands: CommandAcknowledger,
  ) {}

  async handle(device: IngestedDevice, event: DeviceEvent, receivedAt: Date): Promise<IngestOutcome> {
    const deviceTime = new Date(event.ts);
    // A device clock off by more than a day is recorded as such; rules use our receive time.
    const clockSkewed =
      !Number.isFinite(deviceTime.getTime()) ||
      Math.abs(deviceTime.getTime() - receivedAt.getTime()) > MAX_CLOCK_SKEW_MS;
    const { id, ruled } = await this.store({
      deviceId: device.id,
      deviceType: device.type,
      residentId: device.residentId,
      orgUnitId: device.orgUnitId,
      seq: event.seq,
      type: event.type,
      deviceTs: Number.isFinite(deviceTime.getTime()) ? deviceTime : receivedAt,
      receivedAt,
      clockSkewed,
      payload: event,
    });
    this.metrics.eventCommitSeconds.observe((Date.now() - receivedAt.getTime()) / 1000);
    this.activity.touch(
      device,
      receivedAt,
      event.type === 'low_battery' && 'battery' in event ? (event.battery ?? null) : null,
    );
    // CONTRACT §2: a repeated seq is stored and acted on once.
    if (id === null) return { kind: 'duplicate' };
    if (event.type === 'command_ack') {
      await this.commands.acknowledge(device.id, event.commandId, {
        ok: event.ok ?? true,
        result: event.result,
        error: event.error,
      });
    }
    if (!ruled) this.signals.emit('eventStored', id, isLifeSafetyEvent(event.type));
    return STORED;
  }
}

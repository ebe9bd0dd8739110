import type { StatusMessage } from '@anxin/contract';
import type { DeviceActivity } from './device-activity';
import type { IngestedDevice } from './ingest.signals';
import { type IngestOutcome, STORED } from './ingest.outcome';

/** Retained status and the will `{"online":false}` (CONTRACT §2). */
export class StatusHandler {
  constructor(private readonly activity: DeviceActivity) {}

  async handle(device: IngestedDevice, status: StatusMessage, receivedAt: Date): Promise<IngestOutcome> {
    await this.activity.setOnline(device.id, status.online, receivedAt, device.connectedAt ?? receivedAt);
    return STORED;
  }
}

import type { IngestedDevice } from '../ingest/ingest.signals';
import type { IngestOutcome } from '../ingest/ingest.outcome';
import type { DeviceAuthResult } from './device-auth.service';

/**
 * What both protocol front-ends (aedes for MQTT 3.1.1, our own for MQTT 5)
 * need from the platform. Keeps them thin and identical in behaviour.
 */
export interface DeviceGateway {
  verify(deviceId: string, secret: string): Promise<DeviceAuthResult>;
  /**
   * `redelivered`: the PUBLISH carried the DUP flag. `qos` 0 telemetry may be
   * shed (dropped, counted) while the telemetry buffer is full.
   */
  accept(
    device: IngestedDevice,
    topic: string,
    payload: Buffer,
    redelivered?: boolean,
    qos?: 0 | 1,
  ): Promise<IngestOutcome | 'forbidden' | 'shed'>;
  /**
   * Whether a publish to `topic` is a reading while ingest's line of waiting readings is full
   * (issue 13): a front-end then stops reading its socket… A press never waits: it does not
   * queue in the line, and pausing on it held the device's next press (or its cancel) in TCP.
   */
  readingMustWait(device: IngestedDevice, topic: string): boolean;
  /** …until this calls back (once). */
  onIngestRoom(callback: () => void): void;
  subscribeAllowed(device: IngestedDevice, topicFilter: string): boolean;
  countRefusal(device: IngestedDevice, reason: string): void;
  connected(device: IngestedDevice, session: { close(): void }): void;
  disconnected(device: IngestedDevice, session: { close(): void }): void;
  /** Re-sends unexpired pending commands once the device subscribes to its commands topic. */
  subscribedToCommands(device: IngestedDevice): void;
}

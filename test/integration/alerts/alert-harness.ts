import type { MqttClient } from 'mqtt';
import type { ApiClient } from '../../support/api-client';
import { connectDevice, publishQos1, topic } from '../../support/mqtt-device';
import { unique } from '../../support/platform-harness';

export interface Home {
  residentId: string;
  devices: Record<string, { id: string; secret: string; client: MqttClient; seq: number }>;
  event(deviceType: string, type: string, extra?: Record<string, unknown>): Promise<number>;
  telemetry(deviceType: string, fields: Record<string, unknown>): Promise<number>;
  close(): void;
}

/** A resident with connected devices of the given types, each publishing over MQTT 5. */
export async function createHome(
  operator: ApiClient,
  mqttPort: number,
  unitId: string,
  types: string[],
  careProfile: Record<string, unknown> = {},
  deviceExtra: Record<string, unknown> = {},
): Promise<Home> {
  const resident = await operator.post('/api/v1/residents', { name: unique('李奶奶'), orgUnitId: unitId, careProfile });
  if (resident.status !== 201) throw new Error(JSON.stringify(resident.body));
  const devices: Home['devices'] = {};
  for (const type of types) {
    const created = await operator.post('/api/v1/devices', { type, residentId: resident.body.id, ...deviceExtra });
    if (created.status !== 201) throw new Error(JSON.stringify(created.body));
    const client = await connectDevice(mqttPort, { id: created.body.id, secret: created.body.secret }, 5);
    devices[type] = { id: created.body.id, secret: created.body.secret, client, seq: 1 };
  }
  const device = (type: string) => {
    const d = devices[type];
    if (!d) throw new Error(`no ${type} in this home`);
    return d;
  };
  return {
    residentId: resident.body.id,
    devices,
    event: (type, eventType, extra = {}) => {
      const d = device(type);
      return publishQos1(
        d.client,
        topic(d.id, 'events'),
        JSON.stringify({ type: eventType, ts: Date.now(), seq: d.seq++, ...extra }),
      );
    },
    telemetry: (type, fields) => {
      const d = device(type);
      return publishQos1(
        d.client,
        topic(d.id, 'telemetry'),
        JSON.stringify({ ts: Date.now(), seq: d.seq++, ...fields }),
      );
    },
    close: () => Object.values(devices).forEach((d) => d.client.end(true)),
  };
}

/** A night window that covers the current moment in any time zone. */
export const ALWAYS_NIGHT = { start: '00:00', end: '00:00' };
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

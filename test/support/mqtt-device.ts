import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';

export interface DeviceCredentials {
  id: string;
  secret: string;
}

/** Connects as a device with mqtt.js (3.1.1 = protocolVersion 4, or 5); rejects with the CONNACK code. */
export function connectDevice(
  port: number,
  device: DeviceCredentials,
  protocolVersion: 4 | 5 = 5,
  extra: Partial<IClientOptions> = {},
): Promise<MqttClient> {
  const client = mqtt.connect(`mqtt://127.0.0.1:${port}`, {
    clientId: device.id,
    username: device.id,
    password: device.secret,
    protocolVersion,
    reconnectPeriod: 0,
    connectTimeout: 5000,
    ...extra,
  });
  return new Promise((resolve, reject) => {
    client.once('connect', () => resolve(client));
    client.once('error', (error) => {
      client.end(true);
      reject(error);
    });
    client.once('close', () => reject(new Error('closed before CONNACK')));
  });
}

/** The CONNACK return/reason code of a refused connection. */
export async function refusalCode(port: number, device: DeviceCredentials, protocolVersion: 4 | 5): Promise<number> {
  try {
    const client = await connectDevice(port, device, protocolVersion);
    client.end(true);
    return 0;
  } catch (error) {
    return (error as { code?: number }).code ?? -1;
  }
}

/** Publishes at QoS 1 and resolves with the PUBACK reason code (0 = stored); `dup` flags it as a redelivery. */
export function publishQos1(
  client: MqttClient,
  topic: string,
  payload: string | Buffer,
  options: { dup?: boolean } = {},
): Promise<number> {
  return new Promise((resolve, reject) => {
    client.publish(topic, payload, { qos: 1, dup: options.dup ?? false }, (error, packet) => {
      if (error) {
        const code = (error as { code?: number }).code;
        return typeof code === 'number' ? resolve(code) : reject(error);
      }
      resolve((packet as { reasonCode?: number } | undefined)?.reasonCode ?? 0);
    });
  });
}

export function closed(client: MqttClient): Promise<void> {
  if (client.disconnected) return Promise.resolve();
  return new Promise((resolve) => client.once('close', () => resolve()));
}

export const topic = (id: string, channel: 'telemetry' | 'events' | 'status' | 'commands') =>
  `anxin/v1/devices/${id}/${channel}`;

let seq = 1;
export function event(type: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ type, ts: Date.now(), seq: seq++, ...extra });
}
export function nextSeq(): number {
  return seq++;
}

import { type DeviceChannel, parseDeviceTopic } from '@anxin/contract';

const PUBLISHABLE: ReadonlySet<DeviceChannel> = new Set(['telemetry', 'events', 'status']);

/** CONTRACT §2: a device publishes only under its own topics (not commands). */
export function channelDevicePublishesTo(deviceId: string, topic: string): DeviceChannel | null {
  const parsed = parseDeviceTopic(topic);
  if (!parsed || parsed.deviceId !== deviceId || !PUBLISHABLE.has(parsed.channel)) return null;
  return parsed.channel;
}

/** CONTRACT §2: a device subscribes only to its own commands topic, exactly (no wildcards). */
export function mayDeviceSubscribe(deviceId: string, topicFilter: string): boolean {
  const parsed = parseDeviceTopic(topicFilter);
  return parsed !== null && parsed.deviceId === deviceId && parsed.channel === 'commands';
}

// Zod schemas for the device payloads of CONTRACT §2. Every object is strict:
// an unknown key is a schema breach, not something silently dropped.
import { z } from 'zod';
import type { DeviceType } from './domain';

// CONTRACT §2: "`ts` (device time, integer ms since the epoch) and `seq` (integer, increasing per device)".
const ts = z.int().positive();
const seq = z.int().nonnegative();
const envelope = { ts, seq };

const heartRate = z.number().min(0).max(300);
const respirationRate = z.number().min(0).max(100);
const percent = z.number().min(0).max(100);
const lat = z.number().min(-90).max(90);
const lon = z.number().min(-180).max(180);

// --- telemetry ------------------------------------------------------------

export const mattressTelemetrySchema = z.strictObject({
  ...envelope,
  // CONTRACT §2: "per minute; null out of bed".
  heartRate: heartRate.nullable(),
  respirationRate: respirationRate.nullable(),
  inBed: z.boolean(),
  movement: percent,
});

export const wearableTelemetrySchema = z.strictObject({
  ...envelope,
  heartRate: heartRate.optional(),
  spo2: percent.optional(),
  steps: z.int().nonnegative().optional(),
  lat: lat.optional(),
  lon: lon.optional(),
  accuracy: z.number().nonnegative().optional(),
  battery: percent,
});

/** Telemetry of the battery-only devices (buttons and home sensors). */
export const batteryTelemetrySchema = z.strictObject({ ...envelope, battery: percent });

export const telemetrySchemas = {
  mattress: mattressTelemetrySchema,
  wearable: wearableTelemetrySchema,
  sos_button: batteryTelemetrySchema,
  smoke_detector: batteryTelemetrySchema,
  gas_detector: batteryTelemetrySchema,
  water_leak_sensor: batteryTelemetrySchema,
  door_sensor: batteryTelemetrySchema,
  motion_sensor: batteryTelemetrySchema,
} as const satisfies Record<DeviceType, z.ZodType>;

export type MattressTelemetry = z.infer<typeof mattressTelemetrySchema>;
export type WearableTelemetry = z.infer<typeof wearableTelemetrySchema>;
export type BatteryTelemetry = z.infer<typeof batteryTelemetrySchema>;
/** The telemetry a device of type `T` sends (a union when `T` is). */
export type TelemetryMessage<T extends DeviceType = DeviceType> = z.infer<(typeof telemetrySchemas)[T]>;

// --- events ---------------------------------------------------------------

const plainEvent = <T extends string>(type: T) => z.strictObject({ type: z.literal(type), ...envelope });
const locatedEvent = <T extends string>(type: T) =>
  z.strictObject({ type: z.literal(type), ...envelope, lat: lat.optional(), lon: lon.optional() });

const sosEvent = locatedEvent('sos');
const fallEvent = locatedEvent('fall');
const lowBatteryEvent = z.strictObject({
  type: z.literal('low_battery'),
  ...envelope,
  battery: percent.optional(),
});
// CONTRACT §2: "Every device may also send the event `command_ack` with the `commandId` it answers."
const commandAckEvent = z.strictObject({
  type: z.literal('command_ack'),
  ...envelope,
  commandId: z.string().min(1).max(100),
  ok: z.boolean().optional(),
  result: z.unknown().optional(),
  error: z.string().max(1000).optional(),
});

/** One schema per event `type`; look up with {@link isDeviceEventType} first. */
export const deviceEventSchemas = {
  bed_exit: plainEvent('bed_exit'),
  bed_enter: plainEvent('bed_enter'),
  sos: sosEvent,
  sos_cancel: plainEvent('sos_cancel'),
  fall: fallEvent,
  low_battery: lowBatteryEvent,
  smoke: plainEvent('smoke'),
  gas: plainEvent('gas'),
  water_leak: plainEvent('water_leak'),
  tamper: plainEvent('tamper'),
  door_open: plainEvent('door_open'),
  door_close: plainEvent('door_close'),
  motion: plainEvent('motion'),
  command_ack: commandAckEvent,
} as const;

export type DeviceEventType = keyof typeof deviceEventSchemas;
export const DEVICE_EVENT_TYPES = Object.keys(deviceEventSchemas) as DeviceEventType[];

/** Any device event, discriminated on `type`. */
export const deviceEventSchema = z.discriminatedUnion('type', [
  deviceEventSchemas.bed_exit,
  deviceEventSchemas.bed_enter,
  deviceEventSchemas.sos,
  deviceEventSchemas.sos_cancel,
  deviceEventSchemas.fall,
  deviceEventSchemas.low_battery,
  deviceEventSchemas.smoke,
  deviceEventSchemas.gas,
  deviceEventSchemas.water_leak,
  deviceEventSchemas.tamper,
  deviceEventSchemas.door_open,
  deviceEventSchemas.door_close,
  deviceEventSchemas.motion,
  deviceEventSchemas.command_ack,
]);
export type DeviceEvent = z.infer<typeof deviceEventSchema>;

// CONTRACT §2 table: the event `type`s each device type sends (command_ack comes on top).
export const EVENTS_BY_DEVICE_TYPE = {
  mattress: ['bed_exit', 'bed_enter'],
  wearable: ['sos', 'sos_cancel', 'fall', 'low_battery'],
  sos_button: ['sos', 'sos_cancel', 'low_battery'],
  smoke_detector: ['smoke', 'low_battery', 'tamper'],
  gas_detector: ['gas', 'low_battery', 'tamper'],
  water_leak_sensor: ['water_leak', 'low_battery'],
  door_sensor: ['door_open', 'door_close', 'low_battery', 'tamper'],
  motion_sensor: ['motion', 'low_battery'],
} as const satisfies Record<DeviceType, readonly DeviceEventType[]>;

/** The event types a device of type `T` may send, including `command_ack`. */
export type DeviceEventTypeFor<T extends DeviceType> = (typeof EVENTS_BY_DEVICE_TYPE)[T][number] | 'command_ack';
/** The events a device of type `T` may send. */
export type DeviceEventFor<T extends DeviceType> = Extract<DeviceEvent, { type: DeviceEventTypeFor<T> }>;

export function isDeviceEventType(value: unknown): value is DeviceEventType {
  return typeof value === 'string' && Object.hasOwn(deviceEventSchemas, value);
}

export function isEventAllowedForDevice(deviceType: DeviceType, type: DeviceEventType): boolean {
  return type === 'command_ack' || (EVENTS_BY_DEVICE_TYPE[deviceType] as readonly string[]).includes(type);
}

// --- status and commands --------------------------------------------------

// CONTRACT §2: `{"online":true}`, the will `{"online":false}`; a will is fixed at
// connect time, so ts/seq cannot be required here.
export const statusSchema = z.strictObject({ online: z.boolean(), ts: ts.optional(), seq: seq.optional() });
export type StatusMessage = z.infer<typeof statusSchema>;

// CONTRACT §2: "commands, each with a `commandId`" (platform → device).
export const commandSchema = z.strictObject({
  commandId: z.string().min(1).max(100),
  name: z.string().min(1).max(100),
  params: z.record(z.string(), z.unknown()),
  ts,
});
export type CommandMessage = z.infer<typeof commandSchema>;

// Device protocol (CONTRACT §2): topic helpers and the one entry point that turns
// raw MQTT payload bytes into a typed message or a coded rejection.
import type { z } from 'zod';
import { compiledCheckOf } from './compiled-check';
import type { DeviceType } from './domain';
import {
  commandSchema,
  isDeviceEventType,
  isEventAllowedForDevice,
  deviceEventSchemas,
  statusSchema,
  telemetrySchemas,
  type CommandMessage,
  type DeviceEventFor,
  type StatusMessage,
  type TelemetryMessage,
} from './device-schemas';

export * from './device-schemas';

// --- topics ---------------------------------------------------------------

export const TOPIC_ROOT = 'anxin/v1/devices';
export const DEVICE_CHANNELS = ['telemetry', 'events', 'status', 'commands'] as const;
export type DeviceChannel = (typeof DEVICE_CHANNELS)[number];
const TOPIC_PREFIX = `${TOPIC_ROOT}/`;

/** `anxin/v1/devices/{deviceId}/{channel}` (CONTRACT §2). */
export function deviceTopic(deviceId: string, channel: DeviceChannel): string {
  return `${TOPIC_ROOT}/${deviceId}/${channel}`;
}

/**
 * Splits an exact device topic; anything else (wildcards, extra or missing levels,
 * an empty id, an unknown channel) is null.
 */
export function parseDeviceTopic(topic: string): { deviceId: string; channel: DeviceChannel } | null {
  // Once per message on the hot path: index arithmetic instead of split and a regex.
  if (!topic.startsWith(TOPIC_PREFIX)) return null;
  const slash = topic.indexOf('/', TOPIC_PREFIX.length);
  if (slash === -1) return null;
  const channel = topic.slice(slash + 1);
  // A known channel holds no '/', so exactly five levels remain.
  if (!(DEVICE_CHANNELS as readonly string[]).includes(channel)) return null;
  const deviceId = topic.slice(TOPIC_PREFIX.length, slash);
  if (deviceId === '' || deviceId.includes('+') || deviceId.includes('#') || deviceId.includes('\u0000')) return null;
  return { deviceId, channel: channel as DeviceChannel };
}

// --- payloads -------------------------------------------------------------

// CONTRACT §2: "one UTF-8 JSON object, at most 16 KiB".
export const MAX_PAYLOAD_BYTES = 16 * 1024;

export const DEVICE_MESSAGE_REJECT_REASONS = [
  'payload_too_large',
  'invalid_json',
  'not_an_object',
  'schema_violation',
  'event_not_allowed_for_device',
] as const;
export type DeviceMessageRejectReason = (typeof DEVICE_MESSAGE_REJECT_REASONS)[number];

/** The message a device of type `T` sends (or, for `commands`, receives) on `C`. */
export type DeviceMessage<T extends DeviceType, C extends DeviceChannel> = C extends 'telemetry'
  ? TelemetryMessage<T>
  : C extends 'events'
    ? DeviceEventFor<T>
    : C extends 'status'
      ? StatusMessage
      : CommandMessage;

/** `text`: the payload as decoded, valid JSON, to store verbatim instead of serialising `message` again. */
export type DeviceMessageResult<M> =
  { ok: true; message: M; text: string } | { ok: false; reason: DeviceMessageRejectReason; detail: string };

const utf8 = new TextDecoder('utf-8', { fatal: true });
const utf8Encoder = new TextEncoder();
const MAX_DETAIL_CHARS = 200;

/**
 * Decodes and validates one device payload. Never throws: every input ends as
 * `{ok: true, message}` or `{ok: false, reason, detail}`, where `detail` is one
 * short line naming the field, e.g. `heartRate: expected number, received string`.
 */
export function parseDeviceMessage<T extends DeviceType, C extends DeviceChannel>(
  deviceType: T,
  channel: C,
  payload: Uint8Array | string,
): DeviceMessageResult<DeviceMessage<T, C>> {
  return parseSafely(deviceType, channel, payload, true) as DeviceMessageResult<DeviceMessage<T, C>>;
}

/**
 * {@link parseDeviceMessage} with zod alone, without the compiled checks that
 * accept the common shapes first: the reference the contract's spec holds
 * parseDeviceMessage to, answer for answer.
 */
export function parseDeviceMessageWithZodOnly<T extends DeviceType, C extends DeviceChannel>(
  deviceType: T,
  channel: C,
  payload: Uint8Array | string,
): DeviceMessageResult<DeviceMessage<T, C>> {
  return parseSafely(deviceType, channel, payload, false) as DeviceMessageResult<DeviceMessage<T, C>>;
}

function parseSafely(
  deviceType: DeviceType,
  channel: DeviceChannel,
  payload: Uint8Array | string,
  compiledChecks: boolean,
): DeviceMessageResult<unknown> {
  try {
    return parseUnsafe(deviceType, channel, payload, compiledChecks);
  } catch (error) {
    // Belt and braces: CONTRACT §2 "No input can stop the broker or the platform".
    const why = error instanceof Error ? error.message : 'unknown error';
    return reject('schema_violation', `payload: could not be validated (${why})`);
  }
}

function parseUnsafe(
  deviceType: DeviceType,
  channel: DeviceChannel,
  payload: Uint8Array | string,
  compiledChecks: boolean,
): DeviceMessageResult<unknown> {
  if (byteLength(payload) > MAX_PAYLOAD_BYTES) {
    return reject('payload_too_large', `payload: ${byteLength(payload)} bytes, limit is ${MAX_PAYLOAD_BYTES}`);
  }
  let text: string;
  let value: unknown;
  try {
    text = typeof payload === 'string' ? payload : utf8.decode(payload);
  } catch {
    return reject('invalid_json', 'payload: not valid UTF-8');
  }
  try {
    value = JSON.parse(text);
  } catch {
    return reject('invalid_json', 'payload: not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return reject('not_an_object', `payload: expected object, received ${describe(value)}`);
  }
  // Raw control characters and surrogates cannot pass JSON.parse of UTF-8 text; escapes can.
  if (typeof payload === 'string' || text.includes('\\u')) {
    const unstorable = findUnstorableText(value, '');
    if (unstorable !== null) return reject('schema_violation', unstorable);
  }

  const object = value as Record<string, unknown>;
  const picked = pickSchema(deviceType, channel, object);
  if ('rejected' in picked) return picked.rejected;
  // The common shapes pass a check compiled from the same schema, without zod's per-parse work;
  // anything it is unsure of, and so every rejection and its detail, is zod's (compiled-check.ts).
  if (compiledChecks && compiledCheckOf(picked.schema)?.(object)) return { ok: true, message: object, text };
  // reportInput lets the detail say what was received, not just what was expected.
  const parsed = picked.schema.safeParse(value, { reportInput: true });
  if (parsed.success) return { ok: true, message: parsed.data, text };
  return reject('schema_violation', formatIssue(parsed.error.issues[0]));
}

/**
 * PostgreSQL stores neither NUL (in text or jsonb) nor a lone UTF-16 surrogate
 * (in jsonb): one such string would fail a whole group-committed batch (or an
 * HTTP request), so it is refused up front. Answers `field: why`, or null.
 */
export function findUnstorableText(value: unknown, path = ''): string | null {
  if (typeof value === 'string') return unstorableReason(value, path);
  if (typeof value !== 'object' || value === null) return null;
  for (const [key, item] of Object.entries(value)) {
    const at = path === '' ? truncate(key) : `${path}.${truncate(key)}`;
    const inKey = unstorableReason(key, at);
    if (inKey !== null) return inKey;
    const inItem = findUnstorableText(item, at);
    if (inItem !== null) return inItem;
  }
  return null;
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** A device's own words (a topic, a field) quoted in a note we store: NUL escaped, lone surrogates replaced. */
export function toStorableText(text: string): string {
  return text.replaceAll('\u0000', '\\u0000').replace(LONE_SURROGATE, '\ufffd');
}

function unstorableReason(text: string, path: string): string | null {
  const at = path === '' ? 'payload' : path;
  if (text.includes('\u0000')) return `${at}: contains a NUL character (\\u0000), which cannot be stored`;
  if (text.search(LONE_SURROGATE) !== -1) return `${at}: contains an unpaired UTF-16 surrogate, which cannot be stored`;
  return null;
}

function pickSchema(
  deviceType: DeviceType,
  channel: DeviceChannel,
  value: Record<string, unknown>,
): { schema: z.ZodType } | { rejected: Rejection } {
  // Own-property checks: `deviceType` and `type` must never resolve to Object.prototype members.
  if (!Object.hasOwn(telemetrySchemas, deviceType)) {
    return { rejected: reject('schema_violation', `deviceType: unknown device type ${quote(deviceType)}`) };
  }
  switch (channel) {
    case 'telemetry':
      return { schema: telemetrySchemas[deviceType] };
    case 'status':
      return { schema: statusSchema };
    case 'commands':
      return { schema: commandSchema };
    case 'events': {
      const type = value['type'];
      if (type === undefined) return { rejected: reject('schema_violation', 'type: required') };
      if (typeof type !== 'string') {
        return { rejected: reject('schema_violation', `type: expected string, received ${describe(type)}`) };
      }
      if (!isDeviceEventType(type))
        return { rejected: reject('schema_violation', `type: unknown event type ${quote(type)}`) };
      // CONTRACT §2 table: a known event from the wrong kind of device is its own reason.
      if (!isEventAllowedForDevice(deviceType, type)) {
        return { rejected: reject('event_not_allowed_for_device', `type: ${type} is not sent by a ${deviceType}`) };
      }
      return { schema: deviceEventSchemas[type] };
    }
    default:
      return { rejected: reject('schema_violation', `channel: unknown channel ${quote(String(channel))}`) };
  }
}

function byteLength(payload: Uint8Array | string): number {
  if (typeof payload !== 'string') return payload.byteLength;
  // Each UTF-16 unit is at least one UTF-8 byte, so long strings are rejected without encoding.
  if (payload.length > MAX_PAYLOAD_BYTES) return payload.length;
  return utf8Encoder.encode(payload).byteLength;
}

type Rejection = Extract<DeviceMessageResult<never>, { ok: false }>;

function reject(reason: DeviceMessageRejectReason, detail: string): Rejection {
  return {
    ok: false,
    reason,
    detail: detail.length > MAX_DETAIL_CHARS ? `${detail.slice(0, MAX_DETAIL_CHARS - 1)}…` : detail,
  };
}

const EXPECTED_NAMES: Partial<Record<string, string>> = { int: 'integer', record: 'object' };

function formatIssue(issue: z.core.$ZodIssue | undefined): string {
  if (!issue) return 'payload: invalid';
  const path = issue.path.map((key) => truncate(String(key))).join('.');
  const at = (key: string) => (key === '' ? 'payload' : key);
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return `${at(path)}: required`;
      return `${at(path)}: expected ${EXPECTED_NAMES[issue.expected] ?? issue.expected}, received ${describe(issue.input, issue.expected === 'int')}`;
    case 'unrecognized_keys':
      return `${path === '' ? '' : `${path}.`}${truncate(issue.keys[0] ?? '')}: unknown key`;
    case 'too_big': {
      if (issue.origin === 'string') return `${at(path)}: must have at most ${String(issue.maximum)} characters`;
      return `${at(path)}: must be ${issue.inclusive === false ? 'less than' : 'at most'} ${String(issue.maximum)}`;
    }
    case 'too_small': {
      if (issue.origin === 'string') return `${at(path)}: must have at least ${String(issue.minimum)} character(s)`;
      return `${at(path)}: must be ${issue.inclusive === false ? 'greater than' : 'at least'} ${String(issue.minimum)}`;
    }
    default:
      return `${at(path)}: ${issue.message}`;
  }
}

/** A short, safe description of a received value: its kind, or the number itself. */
function describe(value: unknown, showNumber = false): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number' && (showNumber || !Number.isFinite(value))) return String(value);
  return typeof value;
}

function quote(value: string): string {
  return JSON.stringify(truncate(value));
}

function truncate(value: string): string {
  return value.length > 40 ? `${value.slice(0, 40)}…` : value;
}

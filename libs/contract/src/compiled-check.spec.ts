import fc from 'fast-check';
import type { z } from 'zod';
import { compiledCheckOf } from './compiled-check';
import { DEVICE_TYPES } from './domain';
import {
  commandSchema,
  DEVICE_EVENT_TYPES,
  deviceEventSchemas,
  parseDeviceMessage,
  parseDeviceMessageWithZodOnly,
  statusSchema,
  telemetrySchemas,
} from './device-protocol';

const shapeKeys = (schema: z.ZodType) => Object.keys((schema as unknown as { shape: object }).shape);
const hotSchemas: [string, z.ZodType][] = [
  ...Object.entries(telemetrySchemas).map(([type, schema]) => [`${type} telemetry`, schema] as [string, z.ZodType]),
  ...Object.entries(deviceEventSchemas)
    .filter(([type]) => type !== 'command_ack')
    .map(([type, schema]) => [`${type} event`, schema] as [string, z.ZodType]),
  ['status', statusSchema],
];
const allKeys = [...new Set(hotSchemas.flatMap(([, schema]) => shapeKeys(schema))), 'commandId', 'online'];

// JSON literals at and around every bound of CONTRACT §2's fields, of every wrong kind, and numbers
// JSON.parse turns into something else (1e400 → Infinity, 1e-400 → 0, -0).
const SPECIAL_VALUES = [
  ...['0', '-0', '1', '-1', '0.5', '1.5', '14', '62', '99.99', '100', '100.0001', '101', '299.5', '300', '300.5'],
  ...['-90', '-90.01', '90', '90.01', '-180', '-180.5', '180', '180.5', '1700000000000', '1700000000000.5'],
  ...['9007199254740991', '9007199254740992', '-9007199254740992', '1e400', '-1e400', '1e-400', '1e308'],
  ...['true', 'false', 'null', '""', '"62"', '"true"', '"sos"', '[]', '[1]', '{}', '{"a":1}'],
];
/** A message every field of which fits (the base that one changed field is tried on). */
const TYPICAL: Record<string, unknown> = {
  ts: 1_700_000_000_000,
  seq: 7,
  heartRate: 62,
  respirationRate: 14,
  inBed: true,
  movement: 3,
  spo2: 97,
  steps: 1200,
  lat: 31.2,
  lon: 121.5,
  accuracy: 8,
  battery: 64,
  online: true,
};
const jsonValue = fc.oneof(
  fc.constantFrom(...SPECIAL_VALUES),
  fc.constantFrom(...DEVICE_EVENT_TYPES, 'toString', 'SOS').map((type) => JSON.stringify(type)),
  fc.integer({ min: -400, max: 400 }).map(String),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => JSON.stringify(n)),
);
const extremeNumber = fc.constantFrom('1e400', '-1e400', '-0', '1e-400', '9007199254740992', '0.5');
const extraKey = fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty', 'temperature', '');

/** A JSON object text built from `keys` (any subset, any order), extra keys sometimes, values of any kind. */
function objectText(keys: string[]): fc.Arbitrary<string> {
  return fc
    .tuple(fc.shuffledSubarray(keys), fc.array(extraKey, { maxLength: 1 }))
    .chain(([present, extra]) =>
      fc
        .array(jsonValue, { minLength: present.length + extra.length, maxLength: present.length + extra.length })
        .map((values) => [...present, ...extra].map((key, i) => `${JSON.stringify(key)}:${values[i]!}`)),
    )
    .map((members) => `{${members.join(',')}}`);
}

const number = (min: number, max: number) => fc.double({ min, max, noNaN: true }).map((n) => JSON.stringify(n));
const integer = (min: number) => fc.integer({ min, max: Number.MAX_SAFE_INTEGER }).map(String);
/** Values that fit each field of CONTRACT §2 (bounds included: fc.double draws them often). */
const fitting: Record<string, fc.Arbitrary<string>> = {
  ts: integer(1),
  seq: integer(0),
  heartRate: number(0, 300),
  respirationRate: number(0, 100),
  movement: number(0, 100),
  spo2: number(0, 100),
  battery: number(0, 100),
  steps: integer(0),
  lat: number(-90, 90),
  lon: number(-180, 180),
  accuracy: number(0, 1e6),
  inBed: fc.boolean().map(String),
  online: fc.boolean().map(String),
};

/** Mostly valid messages of one shape: each field fits most of the time, is off or missing otherwise, an extra key now and then. */
function nearlyValidText(schema: z.ZodType): fc.Arbitrary<string> {
  const shape = (schema as unknown as { shape: Record<string, z.ZodType> }).shape;
  const fields = Object.keys(shape).map((key) => {
    const literal = (shape[key] as unknown as { value?: unknown }).value;
    const fits = literal === undefined ? (fitting[key] ?? jsonValue) : fc.constant(JSON.stringify(literal));
    const value = fc.oneof(
      { weight: 16, arbitrary: fits },
      { weight: 1, arbitrary: jsonValue },
      { weight: 1, arbitrary: extremeNumber },
      { weight: 1, arbitrary: fc.constant(null) },
    );
    return value.map((v) => (v === null ? null : `${JSON.stringify(key)}:${v}`));
  });
  const extra = fc.oneof(
    { weight: 9, arbitrary: fc.constant(null) },
    { weight: 1, arbitrary: fc.tuple(extraKey, jsonValue).map(([key, v]) => `${JSON.stringify(key)}:${v}`) },
  );
  return fc
    .tuple(fc.tuple(...fields), extra)
    .map(([members, more]) => `{${[...members, more].filter((m) => m !== null).join(',')}}`);
}

describe('compiled checks (the parse fast path)', () => {
  it('cover the telemetry, event and status shapes devices send all the time', () => {
    for (const [name, schema] of hotSchemas)
      expect([name, compiledCheckOf(schema)]).toEqual([name, expect.any(Function)]);
  });

  it('leave command_ack and commands, with their free-form fields, to zod', () => {
    expect(compiledCheckOf(deviceEventSchemas.command_ack)).toBeNull();
    expect(compiledCheckOf(commandSchema)).toBeNull();
  });

  it.each(hotSchemas)('accept a %s with any one field changed exactly when zod does', (_name, schema) => {
    const check = compiledCheckOf(schema)!;
    const shape = (schema as unknown as { shape: Record<string, z.ZodType> }).shape;
    const typical = Object.fromEntries(
      Object.keys(shape).map((key) => [key, (shape[key] as unknown as { value?: unknown }).value ?? TYPICAL[key]]),
    );
    for (const key of [...Object.keys(shape), 'temperature']) {
      for (const literal of [...SPECIAL_VALUES, 'ABSENT']) {
        const members = Object.entries({ ...typical, [key]: undefined })
          .filter(([, v]) => v !== undefined)
          .map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`);
        if (literal !== 'ABSENT') members.push(`${JSON.stringify(key)}:${literal}`);
        const value = JSON.parse(`{${members.join(',')}}`) as Record<string, unknown>;
        expect([key, literal, check(value)]).toEqual([key, literal, schema.safeParse(value).success]);
      }
    }
  });

  it.each(hotSchemas)('accept a %s exactly when zod does, unchanged', (_name, schema) => {
    const check = compiledCheckOf(schema)!;
    let accepted = 0;
    fc.assert(
      fc.property(fc.oneof(nearlyValidText(schema), objectText(allKeys)), (text) => {
        const value = JSON.parse(text) as Record<string, unknown>;
        const zod = schema.safeParse(value);
        expect(check(value)).toBe(zod.success);
        if (zod.success) {
          accepted += 1;
          expect(value).toStrictEqual(zod.data);
        }
      }),
      { numRuns: 400 },
    );
    // The generator must reach the accepting side too, or the property proves little.
    expect(accepted).toBeGreaterThan(30);
  });

  it('make parseDeviceMessage answer exactly as zod alone does, rejection reason and detail included', () => {
    const payloads = fc.oneof(
      ...hotSchemas.map(([, schema]) => nearlyValidText(schema)),
      objectText(allKeys),
      fc.constantFrom('{"ts":1,"seq":1,"battery":50,"__proto__":{"polluted":true}}', '[]', 'null', '{', ''),
    );
    const channel = fc.constantFrom<'telemetry' | 'events' | 'status'>('telemetry', 'events', 'status');
    fc.assert(
      fc.property(fc.constantFrom(...DEVICE_TYPES), channel, payloads, fc.boolean(), (type, ch, text, asBytes) => {
        const payload = asBytes ? new TextEncoder().encode(text) : text;
        expect(parseDeviceMessage(type, ch, payload)).toEqual(parseDeviceMessageWithZodOnly(type, ch, payload));
      }),
      { numRuns: 2000 },
    );
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});

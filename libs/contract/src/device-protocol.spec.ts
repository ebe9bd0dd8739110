import fc from 'fast-check';
import { DEVICE_TYPES, type DeviceType } from './domain';
import {
  DEVICE_CHANNELS,
  EVENTS_BY_DEVICE_TYPE,
  MAX_PAYLOAD_BYTES,
  TOPIC_ROOT,
  deviceTopic,
  parseDeviceMessage,
  parseDeviceTopic,
} from './device-protocol';

const envelope = { ts: 1_700_000_000_000, seq: 7 };
const json = (value: unknown) => JSON.stringify(value);
/** An accepted message: the value, and the payload text to store as it came. */
const accepted = (message: unknown, text = json(message)) => ({ ok: true, message, text });

const validTelemetry: Record<DeviceType, Record<string, unknown>> = {
  mattress: { ...envelope, heartRate: 62, respirationRate: 14, inBed: true, movement: 3 },
  wearable: { ...envelope, heartRate: 80, spo2: 97, steps: 1200, lat: 31.2, lon: 121.5, accuracy: 8, battery: 64 },
  sos_button: { ...envelope, battery: 90 },
  smoke_detector: { ...envelope, battery: 90 },
  gas_detector: { ...envelope, battery: 90 },
  water_leak_sensor: { ...envelope, battery: 90 },
  door_sensor: { ...envelope, battery: 90 },
  motion_sensor: { ...envelope, battery: 90 },
};

const allowedEvents = DEVICE_TYPES.flatMap((deviceType) =>
  [...EVENTS_BY_DEVICE_TYPE[deviceType], 'command_ack'].map((type) => [deviceType, type] as const),
);

function expectRejected(result: ReturnType<typeof parseDeviceMessage>, reason: string, detail: RegExp): void {
  // expect.stringMatching is typed `any`; it is an asymmetric matcher, not a value.
  expect(result).toEqual({ ok: false, reason, detail: expect.stringMatching(detail) as unknown });
}

describe('parseDeviceMessage', () => {
  describe('accepts', () => {
    it.each(DEVICE_TYPES)('valid %s telemetry', (deviceType) => {
      const result = parseDeviceMessage(deviceType, 'telemetry', json(validTelemetry[deviceType]));
      expect(result).toEqual(accepted(validTelemetry[deviceType]));
    });

    it('mattress telemetry with null vital signs when out of bed', () => {
      const payload = { ...envelope, heartRate: null, respirationRate: null, inBed: false, movement: 0 };
      expect(parseDeviceMessage('mattress', 'telemetry', json(payload))).toEqual(accepted(payload));
    });

    it('wearable telemetry carrying only the battery', () => {
      expect(parseDeviceMessage('wearable', 'telemetry', json({ ...envelope, battery: 5 })).ok).toBe(true);
    });

    it.each(allowedEvents)('a %s sending %s', (deviceType, type) => {
      const payload = type === 'command_ack' ? { type, ...envelope, commandId: 'cmd-1' } : { type, ...envelope };
      expect(parseDeviceMessage(deviceType, 'events', json(payload))).toEqual(accepted(payload));
    });

    it('the optional fields of sos, fall, low_battery and command_ack', () => {
      const cases = [
        ['wearable', { type: 'sos', ...envelope, lat: 31.2, lon: 121.5 }],
        ['wearable', { type: 'fall', ...envelope, lat: -31.2, lon: -121.5 }],
        ['smoke_detector', { type: 'low_battery', ...envelope, battery: 9 }],
        ['door_sensor', { type: 'command_ack', ...envelope, commandId: 'c', ok: false, error: 'busy', result: [1] }],
      ] as const;
      for (const [deviceType, payload] of cases) {
        expect(parseDeviceMessage(deviceType, 'events', json(payload))).toEqual(accepted(payload));
      }
    });

    it('the online status with or without ts and seq, as a byte payload', () => {
      const bytes = new TextEncoder().encode('{"online":false}');
      expect(parseDeviceMessage('sos_button', 'status', bytes)).toEqual(accepted({ online: false }));
      const full = { online: true, ...envelope };
      expect(parseDeviceMessage('sos_button', 'status', json(full))).toEqual(accepted(full));
    });

    it('a command addressed to a device', () => {
      const command = { commandId: 'cmd-1', name: 'beep', params: { seconds: 3 }, ts: envelope.ts };
      expect(parseDeviceMessage('wearable', 'commands', json(command))).toEqual(accepted(command));
    });

    it('a payload of exactly 16 KiB', () => {
      const base = json({ ...envelope, battery: 50 });
      const padded = base.slice(0, -1) + ' '.repeat(MAX_PAYLOAD_BYTES - base.length) + '}';
      expect(padded.length).toBe(MAX_PAYLOAD_BYTES);
      expect(parseDeviceMessage('motion_sensor', 'telemetry', padded).ok).toBe(true);
    });
  });

  describe('rejects', () => {
    it('a field of the wrong type, naming the field', () => {
      const payload = { ...validTelemetry.mattress, heartRate: '62' };
      expectRejected(
        parseDeviceMessage('mattress', 'telemetry', json(payload)),
        'schema_violation',
        /^heartRate: expected number, received string$/,
      );
    });

    it('a message without ts', () => {
      const { ts: _ts, ...payload } = validTelemetry.sos_button;
      expectRejected(
        parseDeviceMessage('sos_button', 'telemetry', json(payload)),
        'schema_violation',
        /^ts: required$/,
      );
    });

    it('a fractional seq', () => {
      const payload = { type: 'sos', ts: envelope.ts, seq: 1.5 };
      expectRejected(parseDeviceMessage('sos_button', 'events', json(payload)), 'schema_violation', /^seq: .*integer/);
    });

    it('a ts beyond the safe integer range or not positive', () => {
      const huge = '{"ts":1e400,"seq":1,"battery":50}';
      expectRejected(parseDeviceMessage('gas_detector', 'telemetry', huge), 'schema_violation', /^ts: /);
      const zero = json({ ts: 0, seq: 1, battery: 50 });
      expectRejected(parseDeviceMessage('gas_detector', 'telemetry', zero), 'schema_violation', /^ts: /);
      const unsafe = json({ ts: 2 ** 60, seq: 1, battery: 50 });
      expectRejected(parseDeviceMessage('gas_detector', 'telemetry', unsafe), 'schema_violation', /^ts: /);
    });

    it('a reading out of range', () => {
      const payload = { ...validTelemetry.wearable, spo2: 101 };
      expectRejected(parseDeviceMessage('wearable', 'telemetry', json(payload)), 'schema_violation', /^spo2: .*100/);
    });

    it('an unknown key, naming it', () => {
      const payload = { ...validTelemetry.door_sensor, temperature: 21 };
      expectRejected(
        parseDeviceMessage('door_sensor', 'telemetry', json(payload)),
        'schema_violation',
        /^temperature: unknown key$/,
      );
    });

    it('a __proto__ key without polluting any prototype', () => {
      const payload = '{"ts":1,"seq":1,"battery":50,"__proto__":{"polluted":true}}';
      expectRejected(
        parseDeviceMessage('door_sensor', 'telemetry', payload),
        'schema_violation',
        /^__proto__: unknown key$/,
      );
      expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    });

    it('an event type the device does not send', () => {
      expectRejected(
        parseDeviceMessage('mattress', 'events', json({ type: 'smoke', ...envelope })),
        'event_not_allowed_for_device',
        /^type: smoke/,
      );
    });

    it('an unknown or missing event type', () => {
      expectRejected(
        parseDeviceMessage('wearable', 'events', json({ type: 'toString', ...envelope })),
        'schema_violation',
        /^type: unknown event type/,
      );
      expectRejected(parseDeviceMessage('wearable', 'events', json(envelope)), 'schema_violation', /^type: required$/);
    });

    it('a command_ack without a commandId', () => {
      const payload = { type: 'command_ack', ...envelope };
      expectRejected(
        parseDeviceMessage('wearable', 'events', json(payload)),
        'schema_violation',
        /^commandId: required$/,
      );
    });

    it('text PostgreSQL cannot store (NUL, unpaired surrogate), naming the field, as bytes or as a string', () => {
      const bytes = (text: string) => new TextEncoder().encode(text);
      const nulAck = '{"type":"command_ack","commandId":"p\\u0000","ts":1700000000000,"seq":7}';
      expectRejected(
        parseDeviceMessage('wearable', 'events', bytes(nulAck)),
        'schema_violation',
        /^commandId: contains a NUL/,
      );
      expectRejected(
        parseDeviceMessage('wearable', 'events', nulAck),
        'schema_violation',
        /^commandId: contains a NUL/,
      );
      // Nested in the free-form result, and in a key.
      const nested = '{"type":"command_ack","commandId":"c1","result":{"a":["x\\u0000"]},"ts":1700000000000,"seq":7}';
      expectRejected(
        parseDeviceMessage('wearable', 'events', bytes(nested)),
        'schema_violation',
        /^result\.a\.0: contains a NUL/,
      );
      const inKey = '{"type":"command_ack","commandId":"c1","result":{"k\\u0000":1},"ts":1700000000000,"seq":7}';
      expectRejected(parseDeviceMessage('wearable', 'events', bytes(inKey)), 'schema_violation', /NUL/);
      const surrogate = '{"type":"command_ack","commandId":"\\ud800x","ts":1700000000000,"seq":7}';
      expectRejected(
        parseDeviceMessage('wearable', 'events', bytes(surrogate)),
        'schema_violation',
        /^commandId: contains an unpaired/,
      );
      // An escaped backslash followed by "u0000" is ordinary text, and a paired surrogate is a real character.
      const fine = '{"type":"command_ack","commandId":"a\\\\u0000 \\ud83d\\ude00","ts":1700000000000,"seq":7}';
      expect(parseDeviceMessage('wearable', 'events', bytes(fine)).ok).toBe(true);
    });

    it('a payload of 16 KiB + 1 byte, as bytes or as a string', () => {
      const text = '{' + ' '.repeat(MAX_PAYLOAD_BYTES - 1) + '}';
      expect(text.length).toBe(MAX_PAYLOAD_BYTES + 1);
      expectRejected(parseDeviceMessage('wearable', 'telemetry', text), 'payload_too_large', /^payload: /);
      const bytes = new TextEncoder().encode(text);
      expectRejected(parseDeviceMessage('wearable', 'telemetry', bytes), 'payload_too_large', /^payload: /);
    });

    it('a string whose UTF-8 form exceeds 16 KiB', () => {
      const text = json({ ...envelope, battery: 50, note: '安'.repeat(6000) });
      expect(text.length).toBeLessThan(MAX_PAYLOAD_BYTES);
      expect(parseDeviceMessage('wearable', 'telemetry', text)).toMatchObject({ reason: 'payload_too_large' });
    });

    it('text that is not JSON', () => {
      expectRejected(parseDeviceMessage('wearable', 'telemetry', '{"ts": 1,'), 'invalid_json', /^payload: /);
      expectRejected(parseDeviceMessage('wearable', 'telemetry', ''), 'invalid_json', /^payload: /);
    });

    it('JSON that is not an object', () => {
      expectRejected(parseDeviceMessage('wearable', 'telemetry', '[1,2]'), 'not_an_object', /array$/);
      expectRejected(parseDeviceMessage('wearable', 'status', 'null'), 'not_an_object', /null$/);
      expectRejected(parseDeviceMessage('wearable', 'status', '42'), 'not_an_object', /number$/);
    });

    it('bytes that are not valid UTF-8', () => {
      const bytes = Uint8Array.from([0x7b, 0x22, 0xc3, 0x28, 0x22, 0x7d]);
      expectRejected(parseDeviceMessage('wearable', 'telemetry', bytes), 'invalid_json', /UTF-8/);
    });

    it('a status whose online flag is not a boolean', () => {
      expectRejected(
        parseDeviceMessage('wearable', 'status', json({ online: 'yes' })),
        'schema_violation',
        /^online: expected boolean, received string$/,
      );
    });
  });

  describe('never throws', () => {
    const deviceTypes = fc.constantFrom(...DEVICE_TYPES);
    const channels = fc.constantFrom(...DEVICE_CHANNELS);
    const assertSettles = (result: ReturnType<typeof parseDeviceMessage>) => {
      expect(typeof result.ok).toBe('boolean');
      // The catch-all inside parseDeviceMessage must never be what answers.
      if (!result.ok) expect(result.detail).toMatch(/^\S+: (?!could not be validated)/);
    };

    it('for arbitrary bytes', () => {
      fc.assert(
        fc.property(deviceTypes, channels, fc.uint8Array({ maxLength: 512 }), (deviceType, channel, bytes) => {
          assertSettles(parseDeviceMessage(deviceType, channel, bytes));
        }),
      );
    });

    it('for arbitrary text, including lone surrogates and extreme numbers', () => {
      const numbers = fc.constantFrom('1e400', '-1e400', '-0', '9007199254740993', '0.1e-400', '1'.repeat(400));
      const text = fc.oneof(
        fc.string({ unit: 'binary', maxLength: 256 }),
        numbers.map((n) => `{"ts":${n},"seq":${n},"battery":${n},"online":true,"type":"sos","commandId":"c"}`),
      );
      fc.assert(
        fc.property(deviceTypes, channels, text, (deviceType, channel, payload) => {
          assertSettles(parseDeviceMessage(deviceType, channel, payload));
        }),
      );
    });

    it('for arbitrary JSON values, including prototype keys and huge numbers', () => {
      const keys = fc.constantFrom('__proto__', 'constructor', 'prototype', 'type', 'ts', 'seq', 'battery', 'online');
      const value = fc.oneof(
        fc.json({ maxDepth: 4 }).map((text) => JSON.parse(text) as unknown),
        fc.dictionary(fc.oneof(keys, fc.string()), fc.jsonValue({ maxDepth: 2 })),
        fc.record({ type: fc.oneof(fc.string(), keys), ts: fc.double(), seq: fc.double() }),
      );
      fc.assert(
        fc.property(deviceTypes, channels, value, fc.boolean(), (deviceType, channel, input, asBytes) => {
          const text = JSON.stringify(input) ?? 'null';
          const payload = asBytes ? new TextEncoder().encode(text) : text;
          assertSettles(parseDeviceMessage(deviceType, channel, payload));
        }),
      );
      expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    });
  });
});

describe('device topics', () => {
  it('builds and parses the four channels of a device', () => {
    for (const channel of DEVICE_CHANNELS) {
      const topic = deviceTopic('dev-1', channel);
      expect(topic).toBe(`${TOPIC_ROOT}/dev-1/${channel}`);
      expect(parseDeviceTopic(topic)).toEqual({ deviceId: 'dev-1', channel });
    }
  });

  it('answers as splitting on "/" does, for any topic made of likely pieces', () => {
    // The split-based reading the hot path's index arithmetic replaced, kept as the reference.
    const bySplit = (topic: string) => {
      const [a, b, c, deviceId, channel, ...rest] = topic.split('/');
      if (rest.length > 0 || `${a}/${b}/${c}` !== TOPIC_ROOT || deviceId === undefined || channel === undefined)
        return null;
      if (deviceId === '' || /[+#]/.test(deviceId) || deviceId.includes('\u0000')) return null;
      return (DEVICE_CHANNELS as readonly string[]).includes(channel) ? { deviceId, channel } : null;
    };
    const piece = fc.oneof(
      fc.constantFrom('anxin', 'v1', 'devices', 'dev-1', '', '+', '#', 'a+b', 'x\u0000', ...DEVICE_CHANNELS),
      fc.string({ maxLength: 4 }),
    );
    const topic = fc.oneof(
      fc.array(piece, { maxLength: 7 }).map((parts) => parts.join('/')),
      // Mostly one device id and one channel under a root that is right or nearly so.
      fc
        .tuple(
          fc.constantFrom(TOPIC_ROOT, `${TOPIC_ROOT}x`, `${TOPIC_ROOT}xy`, 'anxin/v1/device', `/${TOPIC_ROOT}`),
          piece,
          fc.oneof(fc.constantFrom(...DEVICE_CHANNELS), piece),
          fc.array(piece, { maxLength: 1 }),
        )
        .map(([root, deviceId, channel, more]) => [root, deviceId, channel, ...more].join('/')),
    );
    fc.assert(
      fc.property(topic, (t) => expect(parseDeviceTopic(t)).toEqual(bySplit(t))),
      { numRuns: 3000 },
    );
  });

  it.each([
    'anxin/v1/devices/dev-1',
    'anxin/v1/devices/dev-1/telemetry/extra',
    'anxin/v1/devices//telemetry',
    'anxin/v1/devices/+/telemetry',
    'anxin/v1/devices/#',
    'anxin/v1/devices/dev-1/#',
    'anxin/v1/devices/dev-1/+',
    'anxin/v1/devices/de+v/events',
    'anxin/v1/devices/de#v/events',
    'anxin/v1/devicesxy/telemetry',
    'anxin/v1/devices/de\u0000v/status',
    'anxin/v1/devices/dev-1/config',
    'anxin/v2/devices/dev-1/telemetry',
    '/anxin/v1/devices/dev-1/telemetry',
    'anxin/v1/devices/dev-1/telemetry/',
    'ANXIN/v1/devices/dev-1/telemetry',
    '',
  ])('rejects %j', (topic) => {
    expect(parseDeviceTopic(topic)).toBeNull();
  });
});

import { DEVICE_TYPES, parseDeviceMessage, type DeviceType } from '@anxin/contract';
import { HomeModel, type RoutineMessage } from './home-model';
import { createPersona, distanceM } from './persona';
import { createRng } from './rng';
import { activityAt, SimClock } from './routine';

const DAY_SECONDS = 120;
const HOME = { lat: 31.23, lon: 121.47 };

interface Sent {
  at: number;
  message: RoutineMessage;
}

/** Plays a home's free routine for `days` simulated days, one sample per device per `stepMs`. */
function playRoutine(seed: number, days: number, stepMs = 500): { model: HomeModel; sent: Sent[] } {
  const rng = createRng(seed);
  const start = 1_700_000_000_000;
  const clock = new SimClock(start, rng.int(0, 1439), DAY_SECONDS);
  const model = new HomeModel(createPersona(rng.fork('persona'), HOME), rng.fork('model'), clock, DEVICE_TYPES);
  const sent: Sent[] = [];
  for (let t = start; t < start + days * DAY_SECONDS * 1000; t += stepMs) {
    for (const type of DEVICE_TYPES) {
      for (const message of model.advance(t)) sent.push({ at: t, message });
      sent.push({ at: t, message: model.telemetry(type, t) });
    }
  }
  return { model, sent };
}

/** What a device puts on the wire: the body plus ts and an increasing seq (CONTRACT §2). */
function stamp(sent: Sent[]): { device: DeviceType; channel: RoutineMessage['channel']; payload: string }[] {
  const seq = new Map<DeviceType, number>();
  return sent.map(({ at, message }) => {
    const next = (seq.get(message.device) ?? 1_000) + 1;
    seq.set(message.device, next);
    return {
      device: message.device,
      channel: message.channel,
      payload: JSON.stringify({ ...message.body, ts: at, seq: next }),
    };
  });
}

describe('HomeModel daily routine', () => {
  it.each([1, 2, 3, 42, 2024])('produces only schema-valid messages over two simulated days (seed %i)', (seed) => {
    const { sent } = playRoutine(seed, 2);
    const wire = stamp(sent);
    const invalid = wire.flatMap(({ device, channel, payload }) => {
      const parsed = parseDeviceMessage(device, channel, payload);
      return parsed.ok ? [] : [`${device}/${channel} ${payload}: ${parsed.detail}`];
    });
    expect(invalid).toEqual([]);
    // Every device reports telemetry, and the routine produces events: an empty run would prove nothing.
    expect(new Set(wire.filter((m) => m.channel === 'telemetry').map((m) => m.device))).toEqual(new Set(DEVICE_TYPES));
    expect(wire.filter((m) => m.channel === 'events').length).toBeGreaterThan(0);
  });

  it('reports mattress vitals only in bed, heart rate 50–70 and respiration 12–20', () => {
    const { sent } = playRoutine(7, 2);
    const mattress = sent.filter((s) => s.message.device === 'mattress' && s.message.channel === 'telemetry');
    const inBed = mattress.filter((s) => s.message.body.inBed === true);
    const outOfBed = mattress.filter((s) => s.message.body.inBed === false);
    expect(inBed.length).toBeGreaterThan(100);
    expect(outOfBed.length).toBeGreaterThan(100);
    for (const s of inBed) {
      expect(s.message.body.heartRate).toEqual(expect.any(Number));
      expect(s.message.body.heartRate as number).toBeGreaterThanOrEqual(50);
      expect(s.message.body.heartRate as number).toBeLessThanOrEqual(70);
      expect(s.message.body.respirationRate as number).toBeGreaterThanOrEqual(12);
      expect(s.message.body.respirationRate as number).toBeLessThanOrEqual(20);
    }
    for (const s of outOfBed) expect(s.message.body).toMatchObject({ heartRate: null, respirationRate: null });
  });

  it('pairs every bed exit with a later bed entry and every door opening with a closing', () => {
    const { sent } = playRoutine(11, 3);
    const events = sent.filter((s) => s.message.channel === 'events').map((s) => s.message.body.type);
    const bed = events.filter((t) => t === 'bed_exit' || t === 'bed_enter');
    expect(bed.length).toBeGreaterThanOrEqual(4);
    // Strictly alternating: never two exits (or two entries) in a row.
    bed.slice(1).forEach((t, i) => expect(t).not.toBe(bed[i]));
    const doors = events.filter((t) => t === 'door_open' || t === 'door_close');
    expect(doors.length).toBeGreaterThanOrEqual(4);
    expect(
      doors.filter((t) => t === 'door_open').length - doors.filter((t) => t === 'door_close').length,
    ).toBeLessThanOrEqual(1);
    expect(events).toContain('motion');
  });

  it('makes night bathroom visits: out of bed and back within minutes of simulated time', () => {
    // Personas have 0–2 visits a night; over ten seeds some must have them, each short and ending in bed.
    const personas = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((seed) =>
      createPersona(createRng(seed).fork('persona'), HOME),
    );
    const visits = personas.flatMap((persona) => persona.bathroomVisits.map((visit) => ({ persona, visit })));
    expect(visits.length).toBeGreaterThanOrEqual(3);
    for (const { persona, visit } of visits) {
      expect(activityAt(persona, visit.atMin)).toBe('bathroom');
      expect(activityAt(persona, (visit.atMin + visit.lenMin) % (24 * 60))).toBe('asleep');
      expect(visit.lenMin).toBeLessThanOrEqual(12);
    }
  });

  it('keeps the wearable near home, takes a daily walk, counts steps up and drains the battery above its floor', () => {
    const { sent } = playRoutine(3, 2);
    const wearable = sent.filter((s) => s.message.device === 'wearable' && s.message.channel === 'telemetry');
    const distances = wearable.map((s) =>
      distanceM(HOME, { lat: s.message.body.lat as number, lon: s.message.body.lon as number }),
    );
    expect(Math.max(...distances)).toBeLessThan(600);
    expect(Math.max(...distances)).toBeGreaterThan(100);
    const steps = wearable.map((s) => s.message.body.steps as number);
    steps.slice(1).forEach((n, i) => expect(n).toBeGreaterThanOrEqual(steps[i] ?? 0));
    expect(steps[steps.length - 1]).toBeGreaterThan(steps[0] ?? 0);
    const battery = wearable.map((s) => s.message.body.battery as number);
    expect(Math.min(...battery)).toBeGreaterThanOrEqual(30);
    expect(battery[battery.length - 1]).toBeLessThanOrEqual(battery[0] ?? 0);
  });

  it('holds a pinned activity regardless of the simulated hour, and reports scenario overrides', () => {
    const rng = createRng(9);
    const clock = new SimClock(0, 12 * 60, DAY_SECONDS);
    const model = new HomeModel(createPersona(rng, HOME), rng.fork('m'), clock, ['mattress', 'wearable'], 'asleep');
    for (let t = 0; t < DAY_SECONDS * 1000; t += 1000) expect(model.advance(t)).toEqual([]);
    expect(model.currentActivity).toBe('asleep');
    model.setVitals({ respirationRate: 0 });
    expect(model.telemetry('mattress', 1).body).toMatchObject({ inBed: true, respirationRate: 0 });
    expect(model.pin('awake', 2).map((m) => m.body.type)).toEqual(['bed_exit']);
  });
});

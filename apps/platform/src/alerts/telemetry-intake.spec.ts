import { TelemetryIntake } from './telemetry-intake';

const mattress = (id: string) => ({ id });
const readingsOf = (intake: TelemetryIntake<{ id: string }, number>) =>
  Object.fromEntries(intake.takeAll().map((d) => [d.device.id, d.readings]));

describe('telemetry intake', () => {
  it('groups readings per device, each device in arrival order', () => {
    const intake = new TelemetryIntake<{ id: string }, number>(10);
    intake.offer(mattress('a'), 1);
    intake.offer(mattress('b'), 2);
    intake.offer(mattress('a'), 3);
    expect(intake.depth).toBe(3);
    expect(readingsOf(intake)).toEqual({ a: [1, 3], b: [2] });
    expect(intake.depth).toBe(0);
  });

  it('never holds more than its cap: a full intake keeps each device’s newest readings and sheds the rest', () => {
    const intake = new TelemetryIntake<{ id: string }, number>(3);
    expect([1, 2, 3].map((n) => intake.offer(mattress('a'), n))).toEqual([true, true, true]);
    expect(intake.offer(mattress('a'), 4)).toBe(false); // displaces a's oldest
    expect(intake.offer(mattress('b'), 5)).toBe(false); // b has nothing to displace
    expect(intake.depth).toBe(3);
    expect(readingsOf(intake)).toEqual({ a: [2, 3, 4] });
  });

  it('puts a failed batch back ahead of newer readings, shedding its oldest when room is short', () => {
    const intake = new TelemetryIntake<{ id: string }, number>(4);
    intake.offer(mattress('a'), 1);
    intake.offer(mattress('a'), 2);
    intake.offer(mattress('a'), 3);
    const failed = intake.takeAll();
    intake.offer(mattress('a'), 4);
    intake.offer(mattress('b'), 5);
    expect(intake.putBack(failed)).toBe(1);
    expect(intake.depth).toBe(4);
    expect(readingsOf(intake)).toEqual({ a: [2, 3, 4], b: [5] });
  });
});

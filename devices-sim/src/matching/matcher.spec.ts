import type { AlertKind } from '@anxin/contract';
import type { AlertObservation, IncidentRecord } from './incident';
import { matchAlerts, type MatchOptions } from './matcher';

const T0 = 1_800_000_000_000;

function incident(over: Partial<IncidentRecord> & Pick<IncidentRecord, 'residentId' | 'scenario'>): IncidentRecord {
  return {
    id: `${over.scenario}@${over.residentId}`,
    homeIndex: 0,
    expect: null,
    lookalikeOf: null,
    expectOutcome: null,
    expectOrderStatus: null,
    windowMs: 0,
    startedAt: T0,
    triggerAt: T0,
    problems: [],
    ...over,
  };
}

let nextId = 0;
function raised(residentId: string, kind: AlertKind, at: number, id = `a${++nextId}`): AlertObservation {
  return {
    event: 'raised',
    at,
    alert: { id, residentId, kind, status: 'open', outcome: null, openedAt: new Date(at).toISOString() },
  };
}

const options = (residents: string[], scenarios: Record<string, string> = {}): MatchOptions => ({
  residentIds: new Set(residents),
  scenarioOf: (id) => scenarios[id] ?? 'routine',
  matchTimeoutMs: 30_000,
});

describe('matchAlerts', () => {
  it('matches an alert to its incident and measures latency from the trigger', () => {
    const sos = incident({ residentId: 'r1', scenario: 'sos', expect: 'sos' });
    const result = matchAlerts([sos], [raised('r1', 'sos', T0 + 120)], options(['r1']));
    expect(result).toMatchObject({ matched: 1, missed: 0, duplicated: 0, falseAlerts: [] });
    expect(result.results[0]?.latencyMs).toBe(120);
  });

  it('measures windowed rules from trigger plus window, and flags an alert that came before the window elapsed', () => {
    const apnoea = incident({ residentId: 'r1', scenario: 'apnoea', expect: 'abnormal_respiration', windowMs: 5_000 });
    const onTime = matchAlerts([apnoea], [raised('r1', 'abnormal_respiration', T0 + 5_400)], options(['r1']));
    expect(onTime.results[0]).toMatchObject({ latencyMs: 400, early: false });
    const early = matchAlerts([apnoea], [raised('r1', 'abnormal_respiration', T0 + 1_000)], options(['r1']));
    expect(early.results[0]).toMatchObject({ latencyMs: 0, early: true });
    expect(early.matched).toBe(1);
  });

  it('counts an incident with no alert as missed', () => {
    const gas = incident({ residentId: 'r1', scenario: 'gas', expect: 'gas' });
    const result = matchAlerts([gas], [raised('r1', 'smoke', T0 + 50)], options(['r1']));
    expect(result).toMatchObject({ matched: 0, missed: 1 });
    expect(result.falseAlerts).toMatchObject([{ kind: 'smoke', reason: 'home plays gas, not smoke' }]);
  });

  it('counts a second alert:raised for one incident as a duplicate, not as false', () => {
    const fall = incident({ residentId: 'r1', scenario: 'fall', expect: 'fall' });
    const result = matchAlerts(
      [fall],
      [raised('r1', 'fall', T0 + 10), raised('r1', 'fall', T0 + 900)],
      options(['r1']),
    );
    expect(result).toMatchObject({ matched: 1, duplicated: 1, falseAlerts: [] });
    expect(result.results[0]?.alertIds).toHaveLength(2);
  });

  it('does not count the same alert id raised twice (a re-sent event) as a duplicate', () => {
    const fall = incident({ residentId: 'r1', scenario: 'fall', expect: 'fall' });
    const result = matchAlerts(
      [fall],
      [raised('r1', 'fall', T0 + 10, 'x'), raised('r1', 'fall', T0 + 20, 'x')],
      options(['r1']),
    );
    expect(result.duplicated).toBe(0);
  });

  it('calls an alert on a look-alike home false, naming the look-alike', () => {
    const bathroom = incident({ residentId: 'r2', scenario: 'bathroom_visit', lookalikeOf: 'not_back_in_bed' });
    const result = matchAlerts(
      [bathroom],
      [raised('r2', 'not_back_in_bed', T0 + 9_000)],
      options(['r2'], { r2: 'bathroom_visit' }),
    );
    expect(result.falseAlerts).toEqual([
      expect.objectContaining({
        scenario: 'bathroom_visit',
        reason: 'look-alike bathroom_visit must not raise not_back_in_bed',
      }),
    ]);
  });

  it('calls alerts false when they precede the incident or come long after its alert', () => {
    const smoke = incident({ residentId: 'r1', scenario: 'smoke', expect: 'smoke' });
    const before = matchAlerts([smoke], [raised('r1', 'smoke', T0 - 1)], options(['r1']));
    expect(before).toMatchObject({
      missed: 1,
      falseAlerts: [expect.objectContaining({ reason: 'raised before smoke happened' })],
    });
    const again = matchAlerts(
      [smoke],
      [raised('r1', 'smoke', T0 + 20), raised('r1', 'smoke', T0 + 31_000)],
      options(['r1']),
    );
    expect(again).toMatchObject({
      matched: 1,
      falseAlerts: [expect.objectContaining({ reason: 'raised too long after smoke' })],
    });
  });

  it('counts an incident whose only alert came after the match window as missed, and says by how much', () => {
    const inactivity = incident({ residentId: 'r1', scenario: 'inactivity', expect: 'inactivity', windowMs: 15_000 });
    const result = matchAlerts(
      [inactivity],
      [raised('r1', 'inactivity', T0 + 15_000 + 42_000, 'slow')],
      options(['r1']),
    );
    expect(result).toMatchObject({ matched: 0, missed: 1, falseAlerts: [] });
    expect(result.results[0]).toMatchObject({
      alertIds: [],
      latencyMs: null,
      lateAlert: { id: 'slow', latencyMs: 42_000 },
    });
  });

  it('ignores alerts of residents that are not the simulator’s, and routine homes’ alerts are false', () => {
    const result = matchAlerts(
      [],
      [raised('someone-else', 'sos', T0), raised('r9', 'inactivity', T0)],
      options(['r9']),
    );
    expect(result.falseAlerts).toEqual([
      expect.objectContaining({ residentId: 'r9', scenario: 'routine', reason: 'no incident in this home' }),
    ]);
  });

  it('does not expect alerts for incidents that were never injected', () => {
    const late = incident({ residentId: 'r1', scenario: 'sos', expect: 'sos', startedAt: null, triggerAt: null });
    expect(matchAlerts([late], [], options(['r1']))).toMatchObject({ matched: 0, missed: 0, results: [] });
  });

  it('pairs each alert with the latest incident of that resident and kind before it', () => {
    const first = incident({ residentId: 'r1', scenario: 'sos', expect: 'sos', id: 'first' });
    const second = incident({ residentId: 'r1', scenario: 'sos', expect: 'sos', id: 'second', triggerAt: T0 + 10_000 });
    const result = matchAlerts(
      [first, second],
      [raised('r1', 'sos', T0 + 100), raised('r1', 'sos', T0 + 10_050)],
      options(['r1']),
    );
    expect(result.results.map((r) => [r.incident.id, r.latencyMs])).toEqual([
      ['first', 100],
      ['second', 50],
    ]);
  });

  it('checks that a cancelled SOS ends resolved as cancelled_by_resident', () => {
    const cancel = incident({
      residentId: 'r1',
      scenario: 'sos_cancel',
      expect: 'sos',
      expectOutcome: 'cancelled_by_resident',
    });
    const alert = raised('r1', 'sos', T0 + 30, 'c1');
    const resolved: AlertObservation = {
      event: 'updated',
      at: T0 + 3_100,
      alert: { ...alert.alert, status: 'resolved', outcome: 'cancelled_by_resident' },
    };
    expect(matchAlerts([cancel], [alert, resolved], options(['r1']))).toMatchObject({
      matched: 1,
      outcomeMismatches: 0,
    });
    expect(matchAlerts([cancel], [alert], options(['r1']))).toMatchObject({ matched: 1, outcomeMismatches: 1 });
  });

  it('counts a dispatched emergency as missed until the console is told its order is unassigned', () => {
    const sos = incident({
      residentId: 'r1',
      scenario: 'unassigned_emergency',
      expect: 'sos',
      expectOrderStatus: 'unassigned',
    });
    const alert = raised('r1', 'sos', T0 + 100, 'u1');
    const pushed = (orderStatus: 'offered' | 'unassigned', at: number): AlertObservation => ({
      event: 'updated',
      at,
      alert: { ...alert.alert, status: 'dispatched', orderStatus },
    });
    const offeredOnly = matchAlerts([sos], [alert, pushed('offered', T0 + 200)], options(['r1']));
    expect(offeredOnly).toMatchObject({ matched: 0, missed: 1, falseAlerts: [] });
    expect(offeredOnly.results[0]).toMatchObject({ alertIds: ['u1'], orderStatusOk: false });
    const told = matchAlerts(
      [sos],
      [alert, pushed('offered', T0 + 200), pushed('unassigned', T0 + 2_200)],
      options(['r1']),
    );
    expect(told).toMatchObject({ matched: 1, missed: 0, falseAlerts: [] });
    expect(told.results[0]?.orderStatusOk).toBe(true);
    // An incident without the expectation is not judged on it.
    const plain = matchAlerts(
      [incident({ residentId: 'r2', scenario: 'sos', expect: 'sos' })],
      [raised('r2', 'sos', T0 + 5)],
      options(['r2']),
    );
    expect(plain.results[0]?.orderStatusOk).toBeNull();
  });

  it('judges events in arrival order even when given out of order', () => {
    const sos = incident({ residentId: 'r1', scenario: 'sos', expect: 'sos' });
    const result = matchAlerts(
      [sos],
      [raised('r1', 'sos', T0 + 500, 'late'), raised('r1', 'sos', T0 + 100, 'early')],
      options(['r1']),
    );
    expect(result.results[0]).toMatchObject({ alertIds: ['early', 'late'], latencyMs: 100 });
  });
});

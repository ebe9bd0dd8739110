import type { IncidentRecord } from '../matching/incident';
import type { IncidentResult, MatchResult } from '../matching/matcher';
import { emptyCounters } from '../transport/transport-stats';
import { buildReport, exitCodeFor, type ReportInput } from './report';
import { renderSummary } from './summary-table';

const incident = (scenario: string, expect: IncidentRecord['expect'], home = 0): IncidentRecord => ({
  id: `${scenario}@${home}`,
  scenario,
  homeIndex: 0,
  residentId: `r-${scenario}`,
  expect,
  lookalikeOf: null,
  expectOutcome: null,
  expectOrderStatus: null,
  windowMs: 0,
  startedAt: 1,
  triggerAt: 1,
  problems: [],
});

const result = (
  i: IncidentRecord,
  latencyMs: number | null,
  lateAlert: IncidentResult['lateAlert'] = null,
): IncidentResult => ({
  incident: i,
  alertIds: latencyMs === null ? [] : [`alert-${i.id}`],
  latencyMs,
  early: false,
  outcomeOk: null,
  orderStatusOk: null,
  lateAlert,
});

function input(match: MatchResult): ReportInput {
  return {
    scenario: 'mixed',
    seed: 7,
    startedAt: Date.UTC(2026, 0, 1),
    durationSeconds: 40,
    graceSeconds: 20,
    homes: 3,
    devices: 24,
    lookalikes: [{ scenario: 'bathroom_visit' }],
    match,
    observedUntil: 61_001,
    transport: {
      ...emptyCounters(),
      qos1Sent: 900,
      qos0Sent: 100,
      pubacks: 900,
      devicesConnected: 24,
      rate: 1,
      telemetryQos: 1,
      lost: 0,
      messagesPerSecond: 16.7,
      pubackLatencyMs: { count: 900, p50: 2, p90: 3, p99: 9, max: 12 },
      lateSlots: 0,
    },
    consoleDisconnects: 0,
    platform: null,
    problems: [],
  };
}

describe('report', () => {
  const sos = incident('sos', 'sos');
  const gas = incident('gas', 'gas');
  const passing: MatchResult = {
    results: [result(sos, 12), { ...result(gas, 30), alertIds: ['a2', 'a3'] }],
    matched: 2,
    missed: 0,
    duplicated: 1,
    falseAlerts: [],
    outcomeMismatches: 0,
  };

  it('carries every field of CONTRACT §5 and the per-scenario breakdown', () => {
    const report = buildReport(input(passing));
    expect(report).toMatchObject({
      homes: 3,
      devices: 24,
      messagesSent: 1000,
      incidents: 2,
      lookalikes: 1,
      alertsMatched: 2,
      missedAlerts: 0,
      falseAlerts: 0,
      duplicatedAlerts: 1,
      scenario: 'mixed',
      durationSeconds: 40,
    });
    // HdrHistogram keeps 3 significant digits.
    expect(report.latencyMs.p50).toBeCloseTo(12, 1);
    expect(report.latencyMs.p99).toBeCloseTo(30, 1);
    expect(report.latencyMs.max).toBeCloseTo(30, 1);
    expect(report.scenarios.gas).toMatchObject({ expect: 'gas', incidents: 1, matched: 1, duplicated: 1 });
    expect(report.scenarios.bathroom_visit).toMatchObject({ expect: null, incidents: 1, falseAlerts: 0 });
    expect(report.details.duplicated).toEqual([{ incident: 'gas@0', alertIds: ['a2', 'a3'] }]);
    expect(exitCodeFor(report)).toBe(0);
  });

  it('fails the run on a missed or a false alert, and names them in the summary', () => {
    const failing: MatchResult = {
      ...passing,
      results: [result(sos, null)],
      matched: 0,
      missed: 1,
      duplicated: 0,
      falseAlerts: [
        {
          alertId: 'f1',
          residentId: 'r9',
          kind: 'inactivity',
          at: 5,
          scenario: 'routine',
          reason: 'no incident in this home',
        },
      ],
    };
    const report = buildReport(input(failing));
    expect(report).toMatchObject({ missedAlerts: 1, falseAlerts: 1, latencyMs: { p50: null, max: null } });
    expect(exitCodeFor(report)).toBe(1);
    const text = renderSummary(report);
    expect(text).toContain('missed: sos@0');
    expect(text).toContain('false alert inactivity for routine home');
    expect(text).toMatch(/^TOTAL/m);
  });

  it('splits life-safety incidents from the others, and says how late or how long unanswered each overdue one is', () => {
    const match: MatchResult = {
      results: [
        result(incident('sos', 'sos'), 40),
        result(incident('fall', 'fall', 1), 1_500),
        result(incident('inactivity', 'inactivity', 2), 2_000),
        result(incident('device_offline', 'device_offline', 3), 12_000),
        // Its alert came after the match window: missed by the verdict, 45 s late by the report.
        result(incident('not_back_in_bed', 'not_back_in_bed', 4), null, { id: 'slow', latencyMs: 45_000 }),
        // Never alerted: due at 1, the run watched until 61,001.
        result(incident('low_battery', 'low_battery', 5), null),
      ],
      matched: 4,
      missed: 2,
      duplicated: 0,
      falseAlerts: [],
      outcomeMismatches: 0,
    };
    const report = buildReport({ ...input(match), consoleDisconnects: 2 });
    expect(report.categories.lifeSafety).toMatchObject({
      kinds: ['sos', 'fall', 'smoke', 'gas', 'water_leak'],
      injected: 2,
      alerted: 2,
      onTime: 1,
      late: 1,
      missed: 0,
      overdue: [{ incident: 'fall@1', latencyMs: 1_500, notAlertedForMs: null }],
    });
    expect(report.categories.other).toMatchObject({
      kinds: ['device_offline', 'inactivity', 'low_battery', 'not_back_in_bed'],
      injected: 4,
      alerted: 3,
      onTime: 1,
      late: 2,
      missed: 1,
      overdue: [
        { incident: 'low_battery@5', latencyMs: null, notAlertedForMs: 61_000 },
        { incident: 'not_back_in_bed@4', latencyMs: 45_000, afterMatchWindow: true },
        { incident: 'device_offline@3', latencyMs: 12_000, afterMatchWindow: false },
      ],
    });
    expect(report.categories.other.latencyMs.max).toBeCloseTo(45_000, -2);
    expect(report.details.incidents[4]?.lateAlert).toEqual({ id: 'slow', latencyMs: 45_000 });
    const text = renderSummary(report);
    expect(text).toContain('LIFE-SAFETY: every one of 2 incidents alerted');
    expect(text).toContain('low_battery@5 not alerted (≥ 61.0 s after due)');
    expect(text).toContain('not_back_in_bed@4 +45.0 s (after the match window: counted missed)');
    expect(text).toContain('console: 2 disconnects; platform figures not read');
    expect(text).toContain('1000 sent (17/s), 900 acknowledged (100.0 % of QoS 1 900)');
  });

  it('says so when a life-safety incident was never alerted, and shows what the platform’s /metrics told', () => {
    const match: MatchResult = {
      results: [result(incident('gas', 'gas'), null), result(incident('smoke', 'smoke', 1), 80)],
      matched: 1,
      missed: 1,
      duplicated: 0,
      falseAlerts: [],
      outcomeMismatches: 0,
    };
    const platform = {
      samples: 30,
      failed: 2,
      rssPeakBytes: 1_400 * 2 ** 20,
      rssLastBytes: 900 * 2 ** 20,
      eventLoopDelayMaxMs: 750,
      unavailable: null,
    };
    const report = buildReport({ ...input(match), platform });
    expect(report.categories.lifeSafety).toMatchObject({ injected: 2, alerted: 1, missed: 1 });
    const text = renderSummary(report);
    expect(text).toContain('LIFE-SAFETY MISSED: 1 of 2 incidents never alerted');
    expect(text).toContain('RSS peak 1400 MB, last 900 MB, event-loop delay max 750 ms');
    const hidden = renderSummary(
      buildReport({
        ...input(match),
        platform: { ...platform, samples: 0, unavailable: 'GET /metrics answered HTTP 403' },
      }),
    );
    expect(hidden).toContain('platform RSS not visible (GET /metrics answered HTTP 403)');
  });
});

import type { IncidentRecord } from '../matching/incident';
import type { MatchResult } from '../matching/matcher';
import { emptyCounters } from '../transport/transport-stats';
import { buildReport, exitCodeFor, type ReportInput } from './report';
import { renderSummary } from './summary-table';

const incident = (scenario: string, expect: IncidentRecord['expect']): IncidentRecord => ({
  id: `${scenario}@0`,
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
    problems: [],
  };
}

describe('report', () => {
  const sos = incident('sos', 'sos');
  const gas = incident('gas', 'gas');
  const passing: MatchResult = {
    results: [
      { incident: sos, alertIds: ['a1'], latencyMs: 12, early: false, outcomeOk: null, orderStatusOk: null },
      { incident: gas, alertIds: ['a2', 'a3'], latencyMs: 30, early: false, outcomeOk: null, orderStatusOk: null },
    ],
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
      results: [{ incident: sos, alertIds: [], latencyMs: null, early: false, outcomeOk: null, orderStatusOk: null }],
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
});

// The JSON report (CONTRACT §5: at least homes, devices, messagesSent,
// incidents, alertsMatched, missedAlerts, falseAlerts, latencyMs p50/p90/p99/max),
// with the per-scenario breakdown and the details needed to chase a failure.
import fs from 'node:fs/promises';
import path from 'node:path';
import { expectationMet, type MatchResult } from '../matching/matcher';
import type { FaultRun } from '../fleet/fault-commands';
import { LatencyHistogram, type LatencySummary } from '../stats/latency-histogram';
import type { TransportCounters } from '../transport/transport-stats';
import { categorize, type CategoryName, type CategoryReport } from './categories';
import type { PlatformObservation } from './platform-watch';

type Percentiles = Omit<LatencySummary, 'count'>;

export interface ScenarioBreakdown {
  expect: string | null;
  incidents: number;
  matched: number;
  missed: number;
  duplicated: number;
  falseAlerts: number;
  latencyMs: Percentiles;
}

export interface TransportReport extends TransportCounters {
  devicesConnected: number;
  rate: number;
  telemetryQos: 0 | 1;
  /** QoS 1 messages without PUBACK after the final drain (devices deliberately silenced excluded). */
  lost: number;
  messagesPerSecond: number;
  pubackLatencyMs: LatencySummary;
  /** Schedule slots the generator served late: if many, the generator (not the platform) was the bottleneck. */
  lateSlots: number;
}

export interface SimReport {
  scenario: string;
  seed: number;
  startedAt: string;
  durationSeconds: number;
  graceSeconds: number;
  homes: number;
  devices: number;
  messagesSent: number;
  /** PUBACKs received: QoS 1 messages the platform acknowledged (stored, CONTRACT §2). */
  messagesAcknowledged: number;
  incidents: number;
  lookalikes: number;
  alertsMatched: number;
  missedAlerts: number;
  falseAlerts: number;
  duplicatedAlerts: number;
  /** Matched alerts that did not end as the scenario requires (SOS cancel → resolved cancelled_by_resident). */
  outcomeMismatches: number;
  latencyMs: Percentiles;
  scenarios: Record<string, ScenarioBreakdown>;
  /** Life-safety (sos, fall, smoke, gas, water_leak) and other incidents: alerted, late by how much, missed. */
  categories: Record<CategoryName, CategoryReport>;
  transport: TransportReport;
  /** Times the /console connection dropped during the run (then reconnected). */
  consoleDisconnects: number;
  /** RSS and event-loop delay from the platform's GET /metrics, when the simulator may read it. */
  platform: PlatformObservation | null;
  /** The operator's fault commands run by fault scenarios (infra_blip), with their exit codes. */
  faults: (Omit<FaultRun, 'startedAt'> & { startedAt: string })[];
  details: {
    incidents: {
      id: string;
      expect: string | null;
      residentId: string;
      triggerAt: string | null;
      latencyMs: number | null;
      alertIds: string[];
      /** No alert in the match window, but one came later: its lateness from due time. */
      lateAlert: { id: string; latencyMs: number } | null;
      early: boolean;
      outcomeOk: boolean | null;
      /** For a dispatched emergency: whether the console was told its order status (unassigned). */
      orderStatusOk: boolean | null;
      problems: string[];
    }[];
    missed: string[];
    falseAlerts: { alertId: string; residentId: string; kind: string; at: string; scenario: string; reason: string }[];
    duplicated: { incident: string; alertIds: string[] }[];
  };
  problems: string[];
}

export interface ReportInput {
  scenario: string;
  seed: number;
  startedAt: number;
  durationSeconds: number;
  graceSeconds: number;
  homes: number;
  devices: number;
  lookalikes: { scenario: string }[];
  match: MatchResult;
  /** When the run stopped watching /console: a missing alert is at least this late. */
  observedUntil: number;
  transport: TransportReport;
  consoleDisconnects: number;
  platform: PlatformObservation | null;
  faults?: readonly FaultRun[];
  problems: string[];
}

export function buildReport(input: ReportInput): SimReport {
  const { match } = input;
  const all = new LatencyHistogram();
  const perScenario = new Map<string, { breakdown: ScenarioBreakdown; latency: LatencyHistogram }>();
  const entry = (scenario: string, expect: string | null) => {
    let e = perScenario.get(scenario);
    if (!e) {
      e = {
        breakdown: {
          expect,
          incidents: 0,
          matched: 0,
          missed: 0,
          duplicated: 0,
          falseAlerts: 0,
          latencyMs: percentiles(null),
        },
        latency: new LatencyHistogram(),
      };
      perScenario.set(scenario, e);
    }
    return e;
  };
  for (const r of match.results) {
    const e = entry(r.incident.scenario, r.incident.expect);
    e.breakdown.incidents += 1;
    if (expectationMet(r)) e.breakdown.matched += 1;
    else e.breakdown.missed += 1;
    e.breakdown.duplicated += Math.max(0, r.alertIds.length - 1);
    if (r.latencyMs !== null) {
      e.latency.record(r.latencyMs);
      all.record(r.latencyMs);
    }
  }
  for (const l of input.lookalikes) entry(l.scenario, null).breakdown.incidents += 1;
  for (const f of match.falseAlerts) entry(f.scenario, null).breakdown.falseAlerts += 1;
  const scenarios: Record<string, ScenarioBreakdown> = {};
  for (const [name, e] of [...perScenario].sort(([a], [b]) => a.localeCompare(b))) {
    scenarios[name] = { ...e.breakdown, latencyMs: percentiles(e.latency.summary()) };
  }
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  return {
    scenario: input.scenario,
    seed: input.seed,
    startedAt: new Date(input.startedAt).toISOString(),
    durationSeconds: input.durationSeconds,
    graceSeconds: input.graceSeconds,
    homes: input.homes,
    devices: input.devices,
    messagesSent: input.transport.qos0Sent + input.transport.qos1Sent,
    messagesAcknowledged: input.transport.pubacks,
    incidents: match.results.length,
    lookalikes: input.lookalikes.length,
    alertsMatched: match.matched,
    missedAlerts: match.missed,
    falseAlerts: match.falseAlerts.length,
    duplicatedAlerts: match.duplicated,
    outcomeMismatches: match.outcomeMismatches,
    latencyMs: percentiles(all.summary()),
    scenarios,
    categories: categorize(match.results, input.observedUntil),
    transport: input.transport,
    consoleDisconnects: input.consoleDisconnects,
    platform: input.platform,
    faults: (input.faults ?? []).map((f) => ({ ...f, startedAt: new Date(f.startedAt).toISOString() })),
    details: {
      incidents: match.results.map((r) => ({
        id: r.incident.id,
        expect: r.incident.expect,
        residentId: r.incident.residentId,
        triggerAt: iso(r.incident.triggerAt),
        latencyMs: r.latencyMs,
        alertIds: r.alertIds,
        lateAlert: r.lateAlert,
        early: r.early,
        outcomeOk: r.outcomeOk,
        orderStatusOk: r.orderStatusOk,
        problems: r.incident.problems,
      })),
      missed: match.results.filter((r) => !expectationMet(r)).map((r) => r.incident.id),
      falseAlerts: match.falseAlerts.map((f) => ({ ...f, at: new Date(f.at).toISOString() })),
      duplicated: match.results
        .filter((r) => r.alertIds.length > 1)
        .map((r) => ({ incident: r.incident.id, alertIds: r.alertIds })),
    },
    problems: input.problems,
  };
}

function percentiles(summary: LatencySummary | null): Percentiles {
  return { p50: summary?.p50 ?? null, p90: summary?.p90 ?? null, p99: summary?.p99 ?? null, max: summary?.max ?? null };
}

/** CONTRACT §5 via the brief: success is no missed and no false alerts (and a fault that really ran). */
export function exitCodeFor(report: SimReport): 0 | 1 {
  const faultsRan = report.faults.every((f) => f.exitCode === 0);
  return report.missedAlerts === 0 && report.falseAlerts === 0 && faultsRan ? 0 : 1;
}

export async function writeReport(file: string, report: SimReport): Promise<void> {
  await fs.mkdir(path.dirname(path.resolve(file)), { recursive: true });
  await fs.writeFile(file, `${JSON.stringify(report, null, 2)}\n`);
}

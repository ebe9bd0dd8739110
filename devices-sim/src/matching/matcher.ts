// Pairs the alerts the platform raised with the incidents the simulator
// injected: by resident, alert kind, and a time window after the incident.
// Pure: the same incidents and alert stream always give the same verdict.
import type { AlertObservation, IncidentRecord, ObservedAlert } from './incident';

export interface MatchOptions {
  /** Only these residents' alerts are judged; the rest of the operator's scope is someone else's. */
  residentIds: ReadonlySet<string>;
  /** The scenario a resident's home played (for explaining false alerts). */
  scenarioOf(residentId: string): string;
  /** An alert later than this after its due time no longer belongs to the incident. */
  matchTimeoutMs: number;
  /** An alert arriving more than this before its window has elapsed is flagged early. */
  earlyToleranceMs?: number;
}

export interface IncidentResult {
  incident: IncidentRecord;
  /** Alerts raised for this incident, first one first; more than one is a duplicate. */
  alertIds: string[];
  /** From the moment the alert was due (trigger + window) to the first alert:raised; clamped at 0. */
  latencyMs: number | null;
  early: boolean;
  /** For incidents that expect an outcome (SOS cancelled): whether the alert was resolved so. */
  outcomeOk: boolean | null;
  /** For incidents that expect an order status (nobody accepted): whether the alert came back with it. */
  orderStatusOk: boolean | null;
  /**
   * No alert within the match window, but one of the incident's resident and kind came after it: the
   * incident is still missed, and this says by how much it was late (from due time, like latencyMs).
   */
  lateAlert: { id: string; latencyMs: number } | null;
}

export interface FalseAlert {
  alertId: string;
  residentId: string;
  kind: string;
  at: number;
  scenario: string;
  reason: string;
}

export interface MatchResult {
  results: IncidentResult[];
  matched: number;
  missed: number;
  /** Extra alert:raised beyond the first, summed over incidents. */
  duplicated: number;
  falseAlerts: FalseAlert[];
  outcomeMismatches: number;
}

/**
 * An alert that never came back with the order status it had to reach (operators told "unassigned") is
 * a missed expectation like a missing alert: the person it was about would not be helped.
 */
export function expectationMet(r: IncidentResult): boolean {
  return r.alertIds.length > 0 && r.orderStatusOk !== false;
}

export function matchAlerts(
  incidents: readonly IncidentRecord[],
  observations: readonly AlertObservation[],
  options: MatchOptions,
): MatchResult {
  const earlyTolerance = options.earlyToleranceMs ?? 1_000;
  const ordered = [...observations].sort((a, b) => a.at - b.at);
  const expected = incidents.filter((i) => i.expect !== null && i.startedAt !== null);
  const byIncident = new Map<IncidentRecord, { id: string; at: number }[]>();
  for (const incident of expected) byIncident.set(incident, []);
  const lateAlerts = new Map<IncidentRecord, { id: string; latencyMs: number }>();
  const falseAlerts: FalseAlert[] = [];

  const seen = new Set<string>();
  for (const obs of ordered) {
    // Only the first sighting of an alert id is a raise; a repeated raised event is not a new alert.
    if (obs.event !== 'raised' || seen.has(obs.alert.id)) continue;
    seen.add(obs.alert.id);
    if (!options.residentIds.has(obs.alert.residentId)) continue;
    const incident = pickIncident(expected, obs, options.matchTimeoutMs);
    if (incident) {
      byIncident.get(incident)?.push({ id: obs.alert.id, at: obs.at });
      continue;
    }
    // Arrival order: an alert in the window would have come before this one. An overloaded platform's
    // real alert, only too late, is reported as that incident's lateness rather than as a false alert.
    const overdue = pickIncident(expected, obs, Number.POSITIVE_INFINITY);
    if (overdue && byIncident.get(overdue)?.length === 0 && !lateAlerts.has(overdue)) {
      lateAlerts.set(overdue, { id: obs.alert.id, latencyMs: obs.at - dueAt(overdue) });
      continue;
    }
    falseAlerts.push(explainFalse(obs, incidents, options));
  }

  const results: IncidentResult[] = expected.map((incident) => {
    const alerts = byIncident.get(incident) ?? [];
    const first = alerts[0];
    const raw = first ? first.at - dueAt(incident) : null;
    return {
      incident,
      alertIds: alerts.map((a) => a.id),
      latencyMs: raw === null ? null : Math.max(0, raw),
      early: raw !== null && raw < -earlyTolerance,
      // No alert: already a miss; the outcome is only judged on an alert that came.
      outcomeOk:
        incident.expectOutcome === null || !first
          ? null
          : seenOnItsAlerts(
              alerts,
              ordered,
              (o) => o.alert.status === 'resolved' && o.alert.outcome === incident.expectOutcome,
            ),
      orderStatusOk:
        incident.expectOrderStatus === null || !first
          ? null
          : seenOnItsAlerts(
              alerts,
              ordered,
              (o) => o.event === 'updated' && o.alert.orderStatus === incident.expectOrderStatus,
            ),
      lateAlert: lateAlerts.get(incident) ?? null,
    };
  });
  const met = expectationMet;
  return {
    results,
    matched: results.filter(met).length,
    missed: results.filter((r) => !met(r)).length,
    duplicated: results.reduce((n, r) => n + Math.max(0, r.alertIds.length - 1), 0),
    falseAlerts,
    outcomeMismatches: results.filter((r) => r.outcomeOk === false).length,
  };
}

function triggerOf(incident: IncidentRecord): number {
  return incident.triggerAt ?? incident.startedAt ?? Number.POSITIVE_INFINITY;
}

/** When the incident's alert was due: its trigger plus the rule's window. */
export function dueAt(incident: IncidentRecord): number {
  return triggerOf(incident) + incident.windowMs;
}

/** The incident of this resident and kind that most recently happened before the alert arrived. */
function pickIncident(
  incidents: readonly IncidentRecord[],
  obs: AlertObservation,
  timeoutMs: number,
): IncidentRecord | null {
  let best: IncidentRecord | null = null;
  for (const incident of incidents) {
    if (incident.residentId !== obs.alert.residentId || incident.expect !== obs.alert.kind) continue;
    const trigger = triggerOf(incident);
    // An alert cannot answer a message that was not yet sent, nor one from long ago.
    if (obs.at < trigger || obs.at > dueAt(incident) + timeoutMs) continue;
    if (!best || trigger > triggerOf(best)) best = incident;
  }
  return best;
}

function explainFalse(obs: AlertObservation, incidents: readonly IncidentRecord[], options: MatchOptions): FalseAlert {
  const alert: ObservedAlert = obs.alert;
  const mine = incidents.filter((i) => i.residentId === alert.residentId);
  const lookalike = mine.find((i) => i.lookalikeOf === alert.kind);
  const sameKind = mine.find((i) => i.expect === alert.kind);
  let reason = 'no incident in this home';
  if (lookalike) reason = `look-alike ${lookalike.scenario} must not raise ${alert.kind}`;
  else if (sameKind && sameKind.startedAt === null) reason = `${sameKind.scenario} was not injected yet`;
  else if (sameKind && obs.at < triggerOf(sameKind)) reason = `raised before ${sameKind.scenario} happened`;
  else if (sameKind) reason = `raised too long after ${sameKind.scenario}`;
  else if (mine.length > 0) reason = `home plays ${mine.map((i) => i.scenario).join(', ')}, not ${alert.kind}`;
  return {
    alertId: alert.id,
    residentId: alert.residentId,
    kind: alert.kind,
    at: obs.at,
    scenario: options.scenarioOf(alert.residentId),
    reason,
  };
}

/** Whether the console saw one of the incident's alerts in the state `seen` asks for. */
function seenOnItsAlerts(
  alerts: { id: string }[],
  observations: readonly AlertObservation[],
  seen: (o: AlertObservation) => boolean,
): boolean {
  const ids = new Set(alerts.map((a) => a.id));
  return observations.some((o) => ids.has(o.alert.id) && seen(o));
}

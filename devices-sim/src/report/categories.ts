// Incidents split as issue 13 judges an overloaded platform: life-safety
// alerts must all get through, on time; the others may be late, and the
// report says by how much.
import type { AlertKind } from '@anxin/contract';
import { dueAt, type IncidentResult } from '../matching/matcher';
import { LatencyHistogram } from '../stats/latency-histogram';

/** Alerts that have their own path through the platform and must never be starved (issue 13). */
export const LIFE_SAFETY_KINDS: readonly AlertKind[] = ['sos', 'fall', 'smoke', 'gas', 'water_leak'];

export type CategoryName = 'lifeSafety' | 'other';

/**
 * Past this much after its due time an alert is late: issue 13's 1 s for life-safety; for the rest, the
 * sweeps (every 5 s) and once-a-second vitals make a few seconds normal even on an idle platform.
 */
export const LATE_AFTER_MS: Record<CategoryName, number> = { lifeSafety: 1_000, other: 10_000 };

export interface OverdueIncident {
  incident: string;
  kind: string;
  /** Due time → first alert:raised, whenever it came; null when none came while the run watched. */
  latencyMs: number | null;
  /** Never alerted: how long after its due time the run stopped watching (it is at least this late). */
  notAlertedForMs: number | null;
  /** The alert came after the match window, so the run's verdict counts the incident as missed. */
  afterMatchWindow: boolean;
}

export interface CategoryReport {
  kinds: string[];
  injected: number;
  /** An alert:raised came, in the match window or after it. */
  alerted: number;
  onTime: number;
  late: number;
  /** No alert:raised while the run watched. */
  missed: number;
  lateAfterMs: number;
  /** Of every alert that came, late ones included. */
  latencyMs: { p50: number | null; p99: number | null; max: number | null };
  /** Late and missed incidents, the worst first. */
  overdue: OverdueIncident[];
}

export function categoryOf(kind: AlertKind | null): CategoryName {
  return kind !== null && LIFE_SAFETY_KINDS.includes(kind) ? 'lifeSafety' : 'other';
}

/** `observedUntil`: when the run stopped watching /console (bounds the lateness of a missing alert). */
export function categorize(
  results: readonly IncidentResult[],
  observedUntil: number,
): Record<CategoryName, CategoryReport> {
  const build = (name: CategoryName): CategoryReport => {
    const mine = results.filter((r) => categoryOf(r.incident.expect) === name);
    const latency = new LatencyHistogram();
    const overdue: OverdueIncident[] = [];
    let alerted = 0;
    for (const r of mine) {
      const ms = r.latencyMs ?? r.lateAlert?.latencyMs ?? null;
      if (ms !== null) {
        alerted += 1;
        latency.record(ms);
      }
      if (ms === null || ms > LATE_AFTER_MS[name]) {
        overdue.push({
          incident: r.incident.id,
          kind: r.incident.expect ?? '',
          latencyMs: ms,
          notAlertedForMs: ms === null ? Math.max(0, observedUntil - dueAt(r.incident)) : null,
          afterMatchWindow: r.lateAlert !== null,
        });
      }
    }
    const summary = latency.summary();
    const kinds =
      name === 'lifeSafety' ? [...LIFE_SAFETY_KINDS] : [...new Set(mine.map((r) => r.incident.expect ?? ''))].sort();
    const missed = mine.length - alerted;
    return {
      kinds,
      injected: mine.length,
      alerted,
      onTime: mine.length - overdue.length,
      late: overdue.length - missed,
      missed,
      lateAfterMs: LATE_AFTER_MS[name],
      latencyMs: { p50: summary.p50, p99: summary.p99, max: summary.max },
      overdue: overdue.sort((a, b) => lateness(b) - lateness(a)),
    };
  };
  return { lifeSafety: build('lifeSafety'), other: build('other') };
}

/** Missing alerts first (the longest unanswered first), then by how late. */
function lateness(o: OverdueIncident): number {
  return o.latencyMs ?? Number.MAX_SAFE_INTEGER / 2 + (o.notAlertedForMs ?? 0);
}

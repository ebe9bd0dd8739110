import type { Severity } from '@anxin/contract';

/** The timer of an alert's escalation to `level`: one per (alert, level), so a re-run adds nothing. */
export const escalationJobId = (alertId: string, level: number): string => `escalate:${alertId}:${level}`;

/** The first escalation timer of each new alert among `results` (none where its severity never escalates). */
export function firstEscalations(
  results: { alert: { id: string; severity: Severity }; created: boolean }[],
  afterSeconds: Record<Severity, number>,
) {
  return results.flatMap(({ alert, created }) => {
    const after = afterSeconds[alert.severity];
    if (!created || after <= 0) return [];
    return [{ jobId: escalationJobId(alert.id, 1), payload: { alertId: alert.id, level: 1 }, delayMs: after * 1000 }];
  });
}

/**
 * `firstEscalations` in SQL, as rows for jobs/due-timers.repository.ts `insertDueTimersFrom`: over alert
 * rows `alerts` (id, severity, created) with `afterSeconds` a jsonb expression `{severity: seconds}`.
 */
export const firstEscalationsSql = (alerts: string, afterSeconds: string): string =>
  `SELECT 'escalate:' || a.id || ':1' AS job_id, 'escalate-alert' AS name,
          jsonb_build_object('alertId', a.id, 'level', 1) AS payload,
          (${afterSeconds} ->> a.severity)::double precision * 1000 AS delay_ms
     FROM ${alerts} a WHERE a.created AND (${afterSeconds} ->> a.severity)::double precision > 0`;

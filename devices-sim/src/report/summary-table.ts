// The end-of-run summary: one row per scenario, then totals and transport.
import type { SimReport } from './report';

const fmt = (v: number | null) => (v === null ? '-' : v >= 100 ? String(Math.round(v)) : v.toFixed(1));

export function renderSummary(report: SimReport): string {
  const header = ['scenario', 'expects', 'incidents', 'matched', 'missed', 'false', 'dup', 'p50 ms', 'p99 ms'];
  const rows = Object.entries(report.scenarios).map(([name, s]) => [
    name,
    s.expect ?? '(none)',
    String(s.incidents),
    s.expect ? String(s.matched) : '-',
    s.expect ? String(s.missed) : '-',
    String(s.falseAlerts),
    String(s.duplicated),
    fmt(s.latencyMs.p50),
    fmt(s.latencyMs.p99),
  ]);
  rows.push([
    'TOTAL',
    '',
    `${report.incidents}+${report.lookalikes}`,
    String(report.alertsMatched),
    String(report.missedAlerts),
    String(report.falseAlerts),
    String(report.duplicatedAlerts),
    fmt(report.latencyMs.p50),
    fmt(report.latencyMs.p99),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i < 2 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  const t = report.transport;
  const out = [line(header), rule, ...rows.slice(0, -1).map(line), rule, line(rows[rows.length - 1] ?? [])];
  out.push(
    '',
    `latency (alert due → alert:raised): p50 ${fmt(report.latencyMs.p50)} ms, p90 ${fmt(report.latencyMs.p90)} ms, ` +
      `p99 ${fmt(report.latencyMs.p99)} ms, max ${fmt(report.latencyMs.max)} ms`,
    `homes ${report.homes}, devices ${report.devices} (${t.devicesConnected} connected), ` +
      `messages ${report.messagesSent} (${t.messagesPerSecond.toFixed(0)}/s), ` +
      `QoS 1 ${t.qos1Sent} sent / ${t.pubacks} PUBACK / ${t.lost} lost, PUBACK p99 ${fmt(t.pubackLatencyMs.p99)} ms`,
  );
  if (report.outcomeMismatches > 0) out.push(`outcome mismatches: ${report.outcomeMismatches} (see details.incidents)`);
  for (const f of report.details.falseAlerts.slice(0, 10)) {
    out.push(`false alert ${f.kind} for ${f.scenario} home (resident ${f.residentId}): ${f.reason}`);
  }
  for (const id of report.details.missed.slice(0, 10)) out.push(`missed: ${id}`);
  return out.join('\n');
}

// The end-of-run summary: one row per scenario, then totals, life-safety
// against the other incidents, transport and what the platform showed.
import type { CategoryName, OverdueIncident } from './categories';
import type { SimReport } from './report';

const fmt = (v: number | null) => (v === null ? '-' : v >= 100 ? String(Math.round(v)) : v.toFixed(1));
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const mb = (bytes: number | null) => (bytes === null ? '-' : `${Math.round(bytes / 2 ** 20)} MB`);
/** Late or missed incidents listed by name in the text (all of them are in the JSON). */
const OVERDUE_SHOWN = 15;

function table(header: string[], rows: string[][], leftColumns: number): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i < leftColumns ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)];
}

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
  const t = report.transport;
  const [head = '', rule = '', ...body] = table(header, rows, 2);
  const total = body.pop() ?? '';
  const out = [head, rule, ...body, rule, total];
  out.push(
    '',
    `latency (alert due → alert:raised): p50 ${fmt(report.latencyMs.p50)} ms, p90 ${fmt(report.latencyMs.p90)} ms, ` +
      `p99 ${fmt(report.latencyMs.p99)} ms, max ${fmt(report.latencyMs.max)} ms`,
    '',
    ...renderCategories(report),
    '',
    `homes ${report.homes}, devices ${report.devices} (${t.devicesConnected} connected), ` +
      `messages ${report.messagesSent} sent (${t.messagesPerSecond.toFixed(0)}/s), ` +
      `${report.messagesAcknowledged} acknowledged (${percent(report.messagesAcknowledged, t.qos1Sent)} of QoS 1 ${t.qos1Sent}), ` +
      `${t.lost} never acknowledged, ${t.notSent} not sent (in-flight window full or offline), PUBACK p99 ${fmt(t.pubackLatencyMs.p99)} ms`,
    `console: ${report.consoleDisconnects} disconnects; ${renderPlatform(report)}`,
  );
  if (report.outcomeMismatches > 0) out.push(`outcome mismatches: ${report.outcomeMismatches} (see details.incidents)`);
  for (const f of report.details.falseAlerts.slice(0, 10)) {
    out.push(`false alert ${f.kind} for ${f.scenario} home (resident ${f.residentId}): ${f.reason}`);
  }
  for (const id of report.details.missed.slice(0, 10)) out.push(`missed: ${id}`);
  return out.join('\n');
}

const CATEGORY_NAMES: Record<CategoryName, string> = { lifeSafety: 'life-safety', other: 'other' };

function percent(part: number, whole: number): string {
  return whole > 0 ? `${((part / whole) * 100).toFixed(1)} %` : '-';
}

function overdueText(o: OverdueIncident): string {
  if (o.latencyMs === null) return `${o.incident} not alerted (≥ ${seconds(o.notAlertedForMs ?? 0)} after due)`;
  return `${o.incident} +${seconds(o.latencyMs)}${o.afterMatchWindow ? ' (after the match window: counted missed)' : ''}`;
}

/** Life-safety against the rest: alerted, on time or late (and by how much), missed. */
function renderCategories(report: SimReport): string[] {
  const names = Object.keys(report.categories) as CategoryName[];
  const header = [
    'category',
    'late after',
    'injected',
    'alerted',
    'on time',
    'late',
    'missed',
    'p50 ms',
    'p99 ms',
    'max ms',
  ];
  const rows = names.map((name) => {
    const c = report.categories[name];
    return [
      CATEGORY_NAMES[name],
      seconds(c.lateAfterMs),
      String(c.injected),
      String(c.alerted),
      String(c.onTime),
      String(c.late),
      String(c.missed),
      fmt(c.latencyMs.p50),
      fmt(c.latencyMs.p99),
      fmt(c.latencyMs.max),
    ];
  });
  const out = table(header, rows, 1);
  for (const name of names) {
    const c = report.categories[name];
    out.push(`${CATEGORY_NAMES[name]}: ${c.kinds.join(', ') || '(none injected)'}`);
    if (c.overdue.length === 0) continue;
    const shown = c.overdue.slice(0, OVERDUE_SHOWN).map(overdueText);
    const more = c.overdue.length - shown.length;
    out.push(`  late or missed, worst first: ${shown.join('; ')}${more > 0 ? `; … ${more} more in the JSON` : ''}`);
  }
  const ls = report.categories.lifeSafety;
  out.push(
    ls.missed === 0
      ? `LIFE-SAFETY: every one of ${ls.injected} incidents alerted (p99 ${fmt(ls.latencyMs.p99)} ms, max ${fmt(ls.latencyMs.max)} ms; ${ls.late} later than ${seconds(ls.lateAfterMs)})`
      : `LIFE-SAFETY MISSED: ${ls.missed} of ${ls.injected} incidents never alerted`,
  );
  return out;
}

function renderPlatform(report: SimReport): string {
  const p = report.platform;
  if (p === null) return 'platform figures not read';
  if (p.unavailable !== null) return `platform RSS not visible (${p.unavailable})`;
  return (
    `platform (GET /metrics, ${p.samples} scrapes, ${p.failed} failed): RSS peak ${mb(p.rssPeakBytes)}, last ${mb(p.rssLastBytes)}, ` +
    `event-loop delay max ${fmt(p.eventLoopDelayMaxMs)} ms`
  );
}

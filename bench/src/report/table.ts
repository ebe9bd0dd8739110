// The final table: each figure beside its peer, the ratio (median, min–max
// over rounds), the goal and by how much it was missed.
import { fmt } from '../measure/stats';
import type { ScenarioResult, TableRow } from '../scenarios/context';

function ratioText(row: TableRow): string {
  const r = row.ratio;
  if (!r) return 'n/a';
  const digits = r.median >= 100 ? 0 : 2;
  if (r.n === 1) return `${fmt(r.median, digits)}×`;
  return `${fmt(r.median, digits)}× (${fmt(r.min, digits)}–${fmt(r.max, digits)}, n=${r.n})`;
}

export function renderTable(results: ScenarioResult[]): string {
  const header = ['', 'figure', 'Anxin', 'peer (same run)', 'peer', 'Anxin ÷ peer', 'goal', 'verdict'];
  const rows: string[][] = [];
  for (const r of results) {
    if (r.rows.length === 0) {
      rows.push([r.id, r.title, r.status, '', '', '', '', r.notes[0] ?? '']);
      continue;
    }
    for (const row of r.rows)
      rows.push([row.scenario, row.figure, row.anxin, row.peer, row.peerName, ratioText(row), row.goal, row.verdict]);
  }
  return renderGrid(header, rows);
}

/** A markdown-style table; columns wider than `maxWidth` overflow rather than wrap. */
export function renderGrid(header: string[], rows: string[][], maxWidth = 60): string {
  const widths = header.map((h, i) =>
    Math.min(maxWidth, Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length))),
  );
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

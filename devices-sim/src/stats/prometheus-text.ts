// Reads a platform's GET /metrics (Prometheus text format 0.0.4) for the
// simulator's report and the bench's overload scenario: whatever series exist,
// so a figure the platform does not export yet is reported as absent, not 0.

export interface MetricSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Event-loop delay over a window between two scrapes, in ms. */
export interface LoopDelay {
  p99Ms: number | null;
  maxMs: number | null;
  /** The series it was read from. */
  source: string;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)/;

export class MetricsText {
  private readonly byName = new Map<string, MetricSample[]>();

  private constructor(samples: MetricSample[]) {
    for (const s of samples) {
      const list = this.byName.get(s.name);
      if (list) list.push(s);
      else this.byName.set(s.name, [s]);
    }
  }

  static parse(text: string): MetricsText {
    const samples: MetricSample[] = [];
    for (const line of text.split('\n')) {
      if (line.length === 0 || line.startsWith('#')) continue;
      const m = SAMPLE.exec(line);
      if (!m) continue;
      const value = parseValue(m[4] ?? '');
      if (value === null) continue;
      samples.push({ name: m[1] ?? '', labels: parseLabels(m[3] ?? ''), value });
    }
    return new MetricsText(samples);
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  samples(name: string): readonly MetricSample[] {
    return this.byName.get(name) ?? [];
  }

  /** Sum over every label set of a series (a counter by reason, say); null when it is not exported. */
  sum(name: string): number | null {
    const list = this.byName.get(name);
    return list ? list.reduce((n, s) => n + s.value, 0) : null;
  }
}

/** Growth of a counter between two scrapes (summed over labels); null when the end scrape lacks it. */
export function counterDelta(start: MetricsText | null, end: MetricsText, name: string): number | null {
  const after = end.sum(name);
  if (after === null) return null;
  return after - (start?.sum(name) ?? 0);
}

/**
 * Observations of histogram `name` above `le` (one of its bucket bounds, as exported: "0.1") between
 * two scrapes, of the series with `labels` (all of them when none are given: a histogram without
 * labels); null when the end scrape lacks it.
 */
export function observationsAbove(
  start: MetricsText | null,
  end: MetricsText,
  name: string,
  le: string,
  labels: Record<string, string> = {},
): number | null {
  const matches = (sample: MetricSample) => Object.entries(labels).every(([k, v]) => sample.labels[k] === v);
  const above = (m: MetricsText | null) => {
    if (!m) return null;
    const buckets = m.samples(`${name}_bucket`).filter((s) => s.labels.le === le && matches(s));
    const counts = m.samples(`${name}_count`).filter(matches);
    if (buckets.length === 0 || counts.length === 0) return null;
    return counts.reduce((n, s) => n + s.value, 0) - buckets.reduce((n, s) => n + s.value, 0);
  };
  const after = above(end);
  if (after === null) return null;
  return after - (above(start) ?? 0);
}

export const LOOP_STALL_METRIC = 'anxin_event_loop_stall_seconds';

/** The platform's event-loop stalls over `le` between two scrapes, by cause; `exported` is false for a platform without the metric. */
export function stallsAbove(start: MetricsText | null, end: MetricsText, le: string) {
  return {
    busy: observationsAbove(start, end, LOOP_STALL_METRIC, le, { cause: 'busy' }) ?? 0,
    offCpu: observationsAbove(start, end, LOOP_STALL_METRIC, le, { cause: 'off_cpu' }) ?? 0,
    exported: end.has(`${LOOP_STALL_METRIC}_count`),
  };
}

export const LOOP_DELAY_METRIC = 'anxin_event_loop_delay_seconds';

/**
 * Event-loop delay over the window since the previous scrape: the platform's
 * own gauges by `stat` (p99, max) when it exports them, else prom-client's
 * default `nodejs_eventloop_lag_*` gauges; both are reset at every scrape.
 * Null when neither exists.
 */
export function loopDelay(end: MetricsText): LoopDelay | null {
  const stats = end.samples(LOOP_DELAY_METRIC).filter((s) => s.labels.stat !== undefined);
  if (stats.length > 0) {
    const at = (stat: string) => stats.find((s) => s.labels.stat === stat)?.value ?? null;
    return { p99Ms: toMs(at('p99')), maxMs: toMs(at('max')), source: `${LOOP_DELAY_METRIC}{stat}` };
  }
  const p99 = end.sum('nodejs_eventloop_lag_p99_seconds');
  const max = end.sum('nodejs_eventloop_lag_max_seconds');
  if (p99 === null && max === null) return null;
  return { p99Ms: toMs(p99), maxMs: toMs(max), source: 'nodejs_eventloop_lag_p99/max_seconds' };
}

function toMs(seconds: number | null): number | null {
  return seconds === null || Number.isNaN(seconds) ? null : seconds * 1000;
}

function parseValue(raw: string): number | null {
  if (raw === '+Inf') return Infinity;
  if (raw === '-Inf') return -Infinity;
  if (raw === 'NaN') return NaN;
  const v = Number(raw);
  return raw.length > 0 && !Number.isNaN(v) ? v : null;
}

/** `a="1",b="x\"y"`: label values may hold escaped quotes, backslashes and newlines. */
function parseLabels(raw: string): Record<string, string> {
  const labels: Record<string, string> = {};
  const re = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;
  for (let m = re.exec(raw); m; m = re.exec(raw)) {
    labels[m[1] ?? ''] = (m[2] ?? '').replace(/\\(.)/g, (_all, c: string) => (c === 'n' ? '\n' : c));
  }
  return labels;
}

// Median and range over the rounds of one figure (BENCHMARKS.md method 1:
// ratios in one run, A B A B, median and min–max).
import { build, decodeFromCompressedBase64, encodeIntoCompressedBase64, type Histogram } from 'hdr-histogram-js';

export interface Spread {
  median: number;
  min: number;
  max: number;
  n: number;
  values: number[];
}

export function spread(values: number[]): Spread | null {
  const finite = values.filter((v) => Number.isFinite(v));
  if (finite.length === 0) return null;
  const sorted = [...finite].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
  return { median, min: sorted[0] ?? 0, max: sorted[sorted.length - 1] ?? 0, n: sorted.length, values: finite };
}

/** Percentiles (ms) of an HdrHistogram-backed latency record, including p99.9. */
export interface Percentiles {
  count: number;
  p50: number | null;
  p90: number | null;
  p99: number | null;
  p999: number | null;
  max: number | null;
}

/**
 * Latency in ms at µs resolution (HdrHistogram, as the simulator records PUBACK
 * latency), with p99.9; mergeable with the simulator's encoded histograms.
 */
export class Latency {
  private readonly histogram: Histogram = build({
    lowestDiscernibleValue: 1,
    numberOfSignificantValueDigits: 3,
    autoResize: true,
  });

  record(ms: number): void {
    this.histogram.recordValue(Math.max(0, Math.round(ms * 1000)));
  }

  addEncoded(encoded: string): void {
    const other = decodeFromCompressedBase64(encoded);
    this.histogram.add(other);
    other.destroy();
  }

  encode(): string {
    return encodeIntoCompressedBase64(this.histogram);
  }

  get count(): number {
    return this.histogram.totalCount;
  }

  percentiles(): Percentiles {
    const h = this.histogram;
    if (h.totalCount === 0) return { count: 0, p50: null, p90: null, p99: null, p999: null, max: null };
    // A percentile reports its bucket's upper edge, which can exceed the true maximum.
    const at = (p: number) => Math.round(Math.min(h.maxValue, h.getValueAtPercentile(p))) / 1000;
    return {
      count: h.totalCount,
      p50: at(50),
      p90: at(90),
      p99: at(99),
      p999: at(99.9),
      max: Math.round(h.maxValue) / 1000,
    };
  }
}

export function round(value: number | null | undefined, digits = 1): number | null {
  if (value === null || value === undefined || !Number.isFinite(value)) return null;
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

export function fmt(value: number | null | undefined, digits = 1): string {
  const r = round(value, digits);
  if (r === null) return 'n/a';
  return r.toLocaleString('en-US', { maximumFractionDigits: digits });
}

export function fmtSpread(s: Spread | null, digits = 1, unit = ''): string {
  if (!s) return 'n/a';
  if (s.n === 1) return `${fmt(s.median, digits)}${unit}`;
  return `${fmt(s.median, digits)}${unit} (${fmt(s.min, digits)}–${fmt(s.max, digits)})`;
}

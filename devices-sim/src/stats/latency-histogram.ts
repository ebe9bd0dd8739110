// Latency percentiles with HdrHistogram (BENCHMARKS.md method 4): fixed memory
// whatever the sample count, exact enough at every percentile, and mergeable
// across worker processes.
import { build, decodeFromCompressedBase64, encodeIntoCompressedBase64, type Histogram } from 'hdr-histogram-js';

export interface LatencySummary {
  count: number;
  p50: number | null;
  p90: number | null;
  p99: number | null;
  max: number | null;
}

/** Records milliseconds at microsecond resolution; negative samples count as 0. */
export class LatencyHistogram {
  private readonly histogram: Histogram;

  constructor() {
    this.histogram = build({ lowestDiscernibleValue: 1, numberOfSignificantValueDigits: 3, autoResize: true });
  }

  record(ms: number): void {
    this.histogram.recordValue(Math.max(0, Math.round(ms * 1000)));
  }

  get count(): number {
    return this.histogram.totalCount;
  }

  summary(): LatencySummary {
    const count = this.histogram.totalCount;
    if (count === 0) return { count, p50: null, p90: null, p99: null, max: null };
    const max = this.histogram.maxValue;
    // A percentile reports its bucket's upper edge, which can exceed the true maximum.
    const at = (p: number) => Math.round(Math.min(max, this.histogram.getValueAtPercentile(p))) / 1000;
    return { count, p50: at(50), p90: at(90), p99: at(99), max: Math.round(max) / 1000 };
  }

  /** Compact form for sending between processes. */
  encode(): string {
    return encodeIntoCompressedBase64(this.histogram);
  }

  addEncoded(encoded: string): void {
    const other = decodeFromCompressedBase64(encoded);
    this.histogram.add(other);
    other.destroy();
  }
}

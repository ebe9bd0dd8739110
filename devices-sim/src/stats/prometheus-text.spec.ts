import { counterDelta, loopDelay, MetricsText, observationsAbove } from './prometheus-text';

const scrape = (lines: string[]) => MetricsText.parse(`${lines.join('\n')}\n`);

describe('MetricsText', () => {
  it('reads samples with and without labels, escaped label values and special values', () => {
    const m = scrape([
      '# HELP process_resident_memory_bytes Resident memory size in bytes.',
      '# TYPE process_resident_memory_bytes gauge',
      'process_resident_memory_bytes 123456789',
      'anxin_messages_rejected_total{reason="bad \\"json\\"",x="a,b"} 3',
      'anxin_messages_rejected_total{reason="acl"} 4 1700000000000',
      'odd_gauge NaN',
      'not a sample line',
    ]);
    expect(m.sum('process_resident_memory_bytes')).toBe(123456789);
    expect(m.samples('anxin_messages_rejected_total')[0]?.labels).toEqual({ reason: 'bad "json"', x: 'a,b' });
    expect(m.sum('anxin_messages_rejected_total')).toBe(7);
    expect(m.has('odd_gauge')).toBe(true);
    expect(m.sum('anxin_telemetry_shed_total')).toBeNull();
  });

  it('gives a counter’s growth between scrapes, and null for a counter the platform does not export', () => {
    const start = scrape(['anxin_telemetry_shed_total{reason="qos0"} 10']);
    const end = scrape(['anxin_telemetry_shed_total{reason="qos0"} 25', 'anxin_telemetry_shed_total{reason="x"} 5']);
    expect(counterDelta(start, end, 'anxin_telemetry_shed_total')).toBe(20);
    expect(counterDelta(null, end, 'anxin_telemetry_shed_total')).toBe(30);
    expect(counterDelta(start, end, 'anxin_ingest_backpressure_waits_total')).toBeNull();
  });
});

describe('loopDelay', () => {
  it('reads the platform’s p99 and max gauges of the window since the previous scrape', () => {
    const end = scrape([
      'anxin_event_loop_delay_seconds{stat="p50"} 0.011',
      'anxin_event_loop_delay_seconds{stat="p99"} 0.04',
      'anxin_event_loop_delay_seconds{stat="max"} 1.5',
      'nodejs_eventloop_lag_max_seconds 0.3',
    ]);
    expect(loopDelay(end)).toEqual({ p99Ms: 40, maxMs: 1500, source: 'anxin_event_loop_delay_seconds{stat}' });
  });

  it('falls back to prom-client’s default lag gauges, and to null when nothing is exported', () => {
    const end = scrape(['nodejs_eventloop_lag_p99_seconds 0.012', 'nodejs_eventloop_lag_max_seconds 0.25']);
    expect(loopDelay(end)).toEqual({
      p99Ms: 12,
      maxMs: 250,
      source: 'nodejs_eventloop_lag_p99/max_seconds',
    });
    expect(loopDelay(scrape(['process_resident_memory_bytes 1']))).toBeNull();
  });
});

describe('observationsAbove', () => {
  it('counts a histogram’s observations above a bucket bound between scrapes', () => {
    const h = (le01: number, count: number) =>
      scrape([
        `anxin_telemetry_commit_seconds_bucket{le="0.05"} ${le01 - 1}`,
        `anxin_telemetry_commit_seconds_bucket{le="0.1"} ${le01}`,
        `anxin_telemetry_commit_seconds_bucket{le="+Inf"} ${count}`,
        `anxin_telemetry_commit_seconds_count ${count}`,
      ]);
    // 100 commits then 250: 2 over 100 ms, then 5.
    expect(observationsAbove(h(98, 100), h(245, 250), 'anxin_telemetry_commit_seconds', '0.1')).toBe(3);
    expect(observationsAbove(null, h(245, 250), 'anxin_telemetry_commit_seconds', '0.1')).toBe(5);
    expect(observationsAbove(null, h(245, 250), 'anxin_event_commit_seconds', '0.1')).toBeNull();
  });

  it('counts one labelled series, or all of them', () => {
    const stalls = scrape([
      `anxin_event_loop_stall_seconds_bucket{le="0.1",cause="busy"} 7`,
      `anxin_event_loop_stall_seconds_count{cause="busy"} 9`,
      `anxin_event_loop_stall_seconds_bucket{le="0.1",cause="off_cpu"} 1`,
      `anxin_event_loop_stall_seconds_count{cause="off_cpu"} 5`,
    ]);
    const above = (labels?: Record<string, string>) =>
      observationsAbove(null, stalls, 'anxin_event_loop_stall_seconds', '0.1', labels);
    expect(above({ cause: 'busy' })).toBe(2);
    expect(above({ cause: 'off_cpu' })).toBe(4);
    expect(above()).toBe(6);
    expect(above({ cause: 'gc' })).toBeNull();
  });
});

// One clock for publish times, alert arrivals and PUBACK latencies: epoch
// milliseconds with sub-millisecond resolution, monotonic within the process
// (performance.now), so latencies never go negative when the wall clock is adjusted.
export type Clock = () => number;

export const systemClock: Clock = () => performance.timeOrigin + performance.now();

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

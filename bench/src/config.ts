// Durations and sizes of a bench run. The full profile fits `npm run bench`
// in about 15 minutes on the 2-core box; BENCH_QUICK=1 is a ~2-minute smoke
// run of the same code with everything scaled down (figures are indicative only).
export interface BenchConfig {
  profile: 'full' | 'quick';
  /** Scenarios to run (BENCH_ONLY=S1,S3 for a subset; S1 runs anyway when S3/S4/S5 need its max). */
  only: Set<string>;
  homes: number;
  /** Homes whose SOS button is kept for alarm injection (S3, S4, S6, S7) instead of background load. */
  alarmHomes: number;
  caregivers: number;
  provisionConcurrency: number;
  /** CPU for the system under test (platform, Mosquitto, peer servers) and for the load generator and bench. */
  serverCpus: string;
  generatorCpus: string;
  generatorProcesses: number;
  keepaliveSeconds: number;
  /** Every n-th message of a motion sensor is a `motion` event (≈1.25 % of all messages with 4-device homes). */
  eventEvery: number;
  /**
   * PUBACK p99 bound of a passing S1 step (BENCHMARKS.md method 3: 100 ms).
   * BENCH_P99_LIMIT_MS raises it, e.g. to see the throughput of a build whose
   * telemetry PUBACK waits for a long batch window; the strict figure is then
   * reported beside it.
   */
  p99LimitMs: number;
  /** BENCH_S1_MAX: use this rate instead of searching (to re-run S3–S5 alone). */
  s1MaxOverride: number | null;
  s1: {
    startRate: number;
    holdMs: number;
    drainMs: number;
    bisections: number;
    abRounds: number;
    abHoldMs: number;
    /** One hold at the max, each target, as BENCHMARKS.md asks (p99.9, longest stall). */
    longHoldMs: number;
    maxPerDeviceRate: number;
  };
  s2: { stageFractions: number[]; connectConcurrency: number; settleMs: number; aedesRounds: number };
  s3: { rounds: number; holdMs: number; alarmRate: number; graceMs: number };
  s4: { rounds: number; holdMs: number; stormDevices: number; alarmRate: number; graceMs: number };
  s5: { rounds: number; holdMs: number; insertBatch: number; copyBatch: number };
  s6: { rate: number; durationMs: number };
  s7: { consoles: number; targetRate: number; durationMs: number; rounds: number };
  /**
   * Overload (issue 13): offered load at these multiples of S1's max, each held `holdMs` with SOS presses
   * at `alarmRate`; `graceMs` for their alerts, then up to `recoverMs` for the backlog's PUBACKs.
   */
  s9: { multiples: number[]; holdMs: number; alarmRate: number; graceMs: number; recoverMs: number };
  /** Cost of scaling (issue 14): `rounds` of one process then two at `rate` (capped at half S1's max). */
  s8: { rounds: number; holdMs: number; rate: number };
}

const ALL = ['S1', 'S2', 'S3', 'S4', 'S5', 'S6', 'S7', 'S8', 'S9', 'FAULTS', 'REPORTS'];

export function loadBenchConfig(env: NodeJS.ProcessEnv = process.env): BenchConfig {
  const quick = env.BENCH_QUICK === '1' || env.BENCH_QUICK === 'true';
  const only = new Set(
    (env.BENCH_ONLY ?? ALL.join(','))
      .split(',')
      .map((s) => s.trim().toUpperCase())
      .filter(Boolean),
  );
  const base = {
    only,
    caregivers: 10,
    provisionConcurrency: 24,
    serverCpus: env.BENCH_SERVER_CPUS ?? '0',
    generatorCpus: env.BENCH_GENERATOR_CPUS ?? '1',
    generatorProcesses: 2,
    keepaliveSeconds: 60,
    eventEvery: 20,
    p99LimitMs: Number(env.BENCH_P99_LIMIT_MS ?? 100),
    s1MaxOverride: env.BENCH_S1_MAX ? Number(env.BENCH_S1_MAX) : null,
  };
  if (quick) {
    return {
      ...base,
      profile: 'quick',
      homes: Number(env.BENCH_HOMES ?? 250),
      alarmHomes: 80,
      caregivers: 4,
      s1: {
        startRate: 1_000,
        holdMs: 4_000,
        drainMs: 2_000,
        bisections: 0,
        abRounds: 1,
        abHoldMs: 4_000,
        longHoldMs: 6_000,
        maxPerDeviceRate: 10,
      },
      s2: { stageFractions: [1], connectConcurrency: 400, settleMs: 500, aedesRounds: 1 },
      s3: { rounds: 1, holdMs: 4_000, alarmRate: 10, graceMs: 5_000 },
      s4: { rounds: 1, holdMs: 5_000, stormDevices: 300, alarmRate: 10, graceMs: 8_000 },
      s5: { rounds: 1, holdMs: 1_500, insertBatch: 1_000, copyBatch: 10_000 },
      s6: { rate: 5, durationMs: 2_000 },
      s7: { consoles: 100, targetRate: 1_000, durationMs: 1_000, rounds: 1 },
      s9: { multiples: [1, 2, 3], holdMs: 5_000, alarmRate: 10, graceMs: 8_000, recoverMs: 30_000 },
      s8: { rounds: 1, holdMs: 4_000, rate: 600 },
    };
  }
  return {
    ...base,
    profile: 'full',
    homes: Number(env.BENCH_HOMES ?? 1_750),
    alarmHomes: 400,
    s1: {
      startRate: 2_000,
      holdMs: 15_000,
      drainMs: 5_000,
      bisections: 2,
      abRounds: 3,
      abHoldMs: 12_000,
      longHoldMs: 60_000,
      maxPerDeviceRate: 10,
    },
    // Every SUBSCRIBE scans aedes' in-memory retained store (one retained status per device), so a ramp's
    // cost grows with N²: 18k devices would take many minutes. Raise BENCH_HOMES for a longer ramp.
    s2: { stageFractions: [0.3, 0.6, 1], connectConcurrency: 1_000, settleMs: 2_000, aedesRounds: 2 },
    s3: { rounds: 3, holdMs: 15_000, alarmRate: 20, graceMs: 10_000 },
    s4: { rounds: 2, holdMs: 15_000, stormDevices: 1_000, alarmRate: 20, graceMs: 15_000 },
    s5: { rounds: 3, holdMs: 4_000, insertBatch: 1_000, copyBatch: 10_000 },
    s6: { rate: 10, durationMs: 10_000 },
    // 1,000 SOS/s offered for 5 s (scaled from 10 s): the platform works off ~200/s, so each run lasts ~25 s.
    s7: { consoles: 100, targetRate: 1_000, durationMs: 5_000, rounds: 2 },
    // 20 SOS/s for 18 of the 20 s: 360 presses per step, each on its own resident (400 alarm homes).
    s9: { multiples: [1, 2, 3], holdMs: 20_000, alarmRate: 20, graceMs: 15_000, recoverMs: 60_000 },
    s8: { rounds: 3, holdMs: 15_000, rate: 1_500 },
  };
}

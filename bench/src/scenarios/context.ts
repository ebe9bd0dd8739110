// What every scenario gets: the running servers, the provisioned fleet, the
// load generator, and a place to put its rows of the final table.
import type { BenchConfig } from '../config';
import type { DeviceSpec } from '../load/bench-device';
import type { LoadGenerator } from '../load/loadgen';
import { CpuMeter } from '../measure/proc';
import type { Spread } from '../measure/stats';
import type { Provisioned } from '../platform/provision';
import type { MosquittoProcess } from '../services/mosquitto';
import type { PlatformProcess } from '../services/platform';
import type { BenchDatabase } from '../services/postgres';
import type { LoadStep } from './load-step';

export interface TableRow {
  scenario: string;
  figure: string;
  anxin: string;
  peer: string;
  peerName: string;
  /** Anxin ÷ peer, per round. */
  ratio: Spread | null;
  goal: string;
  verdict: string;
}

export interface ScenarioResult {
  id: string;
  title: string;
  status: 'ok' | 'not available' | 'error' | 'skipped';
  rows: TableRow[];
  notes: string[];
  durationsMs: Record<string, number>;
  details: Record<string, unknown>;
  /** A scenario's own step-by-step table, printed after the main one. */
  table?: string;
}

export interface BenchContext {
  cfg: BenchConfig;
  log(line: string): void;
  db: BenchDatabase;
  platform: PlatformProcess;
  mosquitto: MosquittoProcess;
  prov: Provisioned;
  gen: LoadGenerator;
  /** Devices of every home except the alarm SOS buttons, grouped by home. */
  background: DeviceSpec[][];
  alarms: DeviceSpec[];
  /** Fleets the generator holds open: name → broker they are connected to. */
  openFleets: Set<string>;
  /** S1's max sustainable rate (msg/s) once known; S3/S4/S5 derive their load from it. */
  s1Max: number | null;
  s1CpuPerMessage: number | null;
  /** S1's platform A/B rounds at its max rate (S5 reads what they committed). */
  s1Rounds: LoadStep[];
  nextTag(): number;
}

export const PLATFORM_FLEET = 'platform';
export const MOSQUITTO_FLEET = 'mosquitto';

/** Platform process + the PostgreSQL backends serving the bench database. */
export function platformMeter(ctx: BenchContext): CpuMeter {
  return new CpuMeter({ platform: () => [ctx.platform.pid], postgres: () => ctx.db.backendPids() });
}

export function backgroundCount(ctx: BenchContext): number {
  return ctx.background.reduce((n, h) => n + h.length, 0);
}

export function newResult(id: string, title: string): ScenarioResult {
  return { id, title, status: 'ok', rows: [], notes: [], durationsMs: {}, details: {} };
}

/** S1's max rate, which S3, S4 and S9 derive their load from (S1 in the same run, or BENCH_S1_MAX). */
export function requireS1(ctx: BenchContext, result: ScenarioResult): number | null {
  if (ctx.s1Max !== null) return ctx.s1Max;
  result.status = 'error';
  result.notes.push('needs S1 max sustained rate (run S1 first, or give BENCH_S1_MAX)');
  return null;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Waits until the platform (and its database) have worked off a backlog: < 15 % of a core for a second. */
export async function settle(ctx: BenchContext, maxMs: number): Promise<number> {
  const started = performance.now();
  for (;;) {
    const meter = platformMeter(ctx);
    await meter.start();
    await sleep(1_000);
    const s = await meter.stop();
    if (s.total / (s.wallMs * 1000) < 0.15 || performance.now() - started > maxMs) return performance.now() - started;
  }
}

/** Connects the background fleets to the platform and to Mosquitto unless S2 already did. */
export async function ensureFleets(ctx: BenchContext): Promise<void> {
  const targets: [string, number][] = [
    [PLATFORM_FLEET, ctx.platform.mqttPort],
    [MOSQUITTO_FLEET, ctx.mosquitto.port],
  ];
  for (const [fleet, port] of targets) {
    if (ctx.openFleets.has(fleet)) continue;
    ctx.log(`  connecting ${backgroundCount(ctx)} devices to ${fleet}`);
    const opened = await ctx.gen.open(fleet, { host: '127.0.0.1', port, tls: false }, ctx.background, {
      keepaliveSeconds: ctx.cfg.keepaliveSeconds,
      statusAndWill: true,
      subscribe: true,
      concurrency: ctx.cfg.s2.connectConcurrency,
    });
    if (opened.failed + opened.refused > 0)
      ctx.log(`  ${fleet}: ${opened.failed} failed, ${opened.refused} refused, e.g. ${opened.problems[0] ?? ''}`);
    ctx.openFleets.add(fleet);
    if (fleet === PLATFORM_FLEET) await settle(ctx, 30_000);
  }
}

// S8 (issue 14): the cost of scaling. The same fleet and rate against one platform process and then
// against two on the same PostgreSQL and Redis (half the devices on each), back to back, A B A B:
// CPU-µs per committed message for the platform processes, PostgreSQL and Redis separately, and the
// ratio two ÷ one. Both sides run with REDIS_URL, as every multi-process deployment does.
import { execFileSync } from 'node:child_process';
import type { DeviceSpec } from '../load/bench-device';
import type { RunResult } from '../load/loadgen';
import { CpuMeter, type CpuSample } from '../measure/proc';
import { fmt, fmtSpread, spread } from '../measure/stats';
import { type PlatformProcess, startPlatform } from '../services/platform';
import { type BenchContext, newResult, PLATFORM_FLEET, type ScenarioResult, settle, sleep } from './context';
import { countCommitted } from './load-step';

const REDIS_URL = 'redis://127.0.0.1:6379';
const GROUPS = ['platform', 'postgres', 'redis'] as const;
type Group = (typeof GROUPS)[number];

interface Side {
  processes: number;
  committed: number;
  sent: number;
  pubackP99: number | null;
  cpu: CpuSample;
  /** CPU-µs per committed message, per group and in total. */
  perMessage: Record<Group | 'total', number>;
}

function redisPids(): number[] {
  try {
    return execFileSync('pgrep', ['-x', 'redis-server'], { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

export async function runS8(ctx: BenchContext): Promise<ScenarioResult> {
  const result = newResult('S8', 'cost of scaling: one process vs two');
  const { rounds, holdMs } = ctx.cfg.s8;
  // Well inside one process's capacity, so both sides commit everything offered and the CPU compares like with like.
  const rate = Math.round(ctx.s1Max === null ? ctx.cfg.s8.rate : Math.min(ctx.cfg.s8.rate, 0.5 * ctx.s1Max));
  // The shared platform runs without Redis and so alone on its database: S8 brings its own processes.
  if (ctx.openFleets.has(PLATFORM_FLEET)) {
    await ctx.gen.close(PLATFORM_FLEET);
    ctx.openFleets.delete(PLATFORM_FLEET);
  }
  await ctx.platform.stop();
  const fleet = ctx.background;
  const sides: Record<1 | 2, Side[]> = { 1: [], 2: [] };
  for (let round = 0; round < rounds; round++) {
    for (const count of [1, 2] as const) {
      const side = await measureSide(ctx, count, fleet, rate, holdMs);
      sides[count].push(side);
      ctx.log(
        `  round ${round + 1}, ${count} process${count > 1 ? 'es' : ''}: committed ${side.committed}/${side.sent}, PUBACK p99 ${fmt(side.pubackP99)} ms, CPU-µs/msg ${fmt(side.perMessage.total)} (platform ${fmt(side.perMessage.platform)} + PostgreSQL ${fmt(side.perMessage.postgres)} + Redis ${fmt(side.perMessage.redis)})`,
      );
    }
  }
  const ratio = (group: Group | 'total') =>
    spread(sides[2].map((two, i) => two.perMessage[group] / (sides[1][i]?.perMessage[group] ?? NaN)));
  const perGroup = (count: 1 | 2, group: Group | 'total') => spread(sides[count].map((s) => s.perMessage[group]));
  for (const group of ['total', ...GROUPS] as const) {
    const r = ratio(group);
    result.rows.push({
      scenario: 'S8',
      figure: `CPU-µs per committed message, ${group === 'total' ? 'platform + PostgreSQL + Redis' : group} (${fmt(rate, 0)} msg/s, two processes vs one)`,
      anxin: fmtSpread(perGroup(2, group)),
      peer: fmtSpread(perGroup(1, group)),
      peerName: 'the same platform, one process',
      ratio: r,
      goal: group === 'total' ? '≤ 1.1×' : '—',
      verdict: group !== 'total' ? 'info' : r && r.median <= 1.1 ? 'met' : `MISSED: ${fmt(r?.median, 2)}×`,
    });
  }
  const lost = [...sides[1], ...sides[2]].reduce((n, s) => n + (s.sent - s.committed), 0);
  result.notes.push(
    `${rounds} rounds, ${fmt(rate, 0)} msg/s for ${holdMs / 1000} s from ${fleet.flat().length} devices; with two processes half the homes connect to each. ${lost} messages not committed. Both sides run with REDIS_URL and a private queue prefix; Redis CPU is the whole redis-server process.`,
  );
  result.details = { rate, holdMs, sides };
  return result;
}

async function measureSide(
  ctx: BenchContext,
  count: 1 | 2,
  homes: DeviceSpec[][],
  rate: number,
  holdMs: number,
): Promise<Side> {
  const queuePrefix = `s8${Date.now().toString(36)}`;
  const processes: PlatformProcess[] = [];
  const fleets: string[] = [];
  try {
    for (let i = 0; i < count; i++)
      processes.push(await startPlatform(ctx.db, { cpus: ctx.cfg.serverCpus, queuePrefix, env: { REDIS_URL } }));
    for (const [i, p] of processes.entries()) {
      const name = `s8-${count}-${i}`;
      const share = homes.filter((_, h) => h % count === i);
      await ctx.gen.open(name, { host: '127.0.0.1', port: p.mqttPort, tls: false }, share, {
        keepaliveSeconds: ctx.cfg.keepaliveSeconds,
        statusAndWill: true,
        subscribe: true,
        concurrency: ctx.cfg.s2.connectConcurrency,
      });
      fleets.push(name);
    }
    await settle({ ...ctx, platform: processes[0]! }, 30_000);
    await sleep(1_000);
    const meter = new CpuMeter({
      platform: () => processes.map((p) => p.pid),
      postgres: () => ctx.db.backendPids(),
      redis: redisPids,
    });
    const tag = ctx.nextTag();
    const since = new Date(Date.now() - 1_000);
    await meter.start();
    const runs: RunResult[] = await Promise.all(
      fleets.map((name) => {
        const size = ctx.gen.size(name);
        const share = rate / count;
        const active = Math.max(1, Math.min(size, Math.round(share)));
        return ctx.gen.run(name, {
          active,
          ratePerDevice: Math.min(ctx.cfg.s1.maxPerDeviceRate, share / active),
          durationMs: holdMs,
          eventEvery: ctx.cfg.eventEvery,
          tag,
          drainMs: ctx.cfg.s1.drainMs,
        });
      }),
    );
    const cpu = await meter.stop();
    const committedRows = await countCommitted(ctx, tag, since, false);
    const committed = committedRows.telemetryDistinct + committedRows.eventRows;
    const sent = runs.reduce((n, r) => n + r.telemetrySent + r.eventsSent, 0);
    const per = (micros: number) => (committed > 0 ? micros / committed : NaN);
    return {
      processes: count,
      committed,
      sent,
      pubackP99: Math.max(...runs.map((r) => r.latency.percentiles().p99 ?? 0)),
      cpu,
      perMessage: {
        platform: per(cpu.byGroup.platform ?? 0),
        postgres: per(cpu.byGroup.postgres ?? 0),
        redis: per(cpu.byGroup.redis ?? 0),
        total: per(cpu.total),
      },
    };
  } finally {
    for (const name of fleets) await ctx.gen.close(name).catch(() => undefined);
    for (const p of processes) await p.stop();
  }
}

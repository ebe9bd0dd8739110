// S9 overload (issue 13): offered load at 1×, 2× and 3× S1's max, open loop,
// with SOS presses in each window. The platform must degrade, never
// collapse: keep committing ≥ 90 % of its max, acknowledge SOS and put it on
// the console within 1 s (p99), keep RSS bounded, consoles connected, /health
// answering and its log quiet. Peer: Mosquitto at the same offered loads
// (CPU per message, PUBACK p99), as in S1. Each step starts from a quiet
// platform: the previous step's backlog is worked off first.
import type { LatencySummary } from '../../../devices-sim/src/stats/latency-histogram';
import { AlertWatcher } from '../load/alarms';
import { type ProbeResult, probeOverload, SHED_COUNTERS } from '../measure/overload-probe';
import { rssBytes } from '../measure/proc';
import { fmt, spread } from '../measure/stats';
import { resolveActiveAlerts } from '../platform/alert-cleanup';
import { renderGrid } from '../report/table';
import { type AlertRound, alarmRig, alertRound } from './alert-latency';
import {
  type BenchContext,
  ensureFleets,
  newResult,
  PLATFORM_FLEET,
  requireS1,
  type ScenarioResult,
  settle,
  type TableRow,
} from './context';
import { describeStep, type LoadStep, loadStep } from './load-step';

export interface OverloadStep {
  multiple: number;
  rate: number;
  mosquitto: LoadStep;
  platform: AlertRound;
  probe: ProbeResult | null;
  sosPuback: LatencySummary;
  /** Drops of a console connected through the whole scenario, during this step. */
  consoleDisconnects: number;
  /** QoS 1 still owed after the recovery wait, and when the last PUBACK came (ms after the hold ended). */
  recovery: { outstanding: number; afterHoldMs: number | null };
  rssAfterBytes: number | null;
  /** Set when the platform process was gone after the step (e.g. killed for memory). */
  platformExited: string | null;
}

/** Issue 13's bounds at 3× overload. */
const GOALS = {
  commitShareOfMax: 0.9,
  lifeSafetyP99Ms: 1_000,
  rssBytes: 1.5 * 2 ** 30,
  loopMs: 1_000,
  healthMs: 1_000,
};

const dash = (v: number | null | undefined, digits = 1) =>
  v === null || v === undefined || !Number.isFinite(v) ? '—' : fmt(v, digits);
const mb = (bytes: number | null) => (bytes === null ? '—' : `${fmt(bytes / 2 ** 20, 0)} MB`);
const pct = (share: number | null) => (share === null ? '—' : `${fmt(share * 100, 0)} %`);

async function overloadStep(
  ctx: BenchContext,
  multiple: number,
  max: number,
  operator: AlertWatcher,
): Promise<OverloadStep> {
  const { s9 } = ctx.cfg;
  const rate = Math.round(max * multiple);
  const rig = await alarmRig(ctx);
  const mosquitto = await loadStep(ctx, 'mosquitto', rate, { holdMs: s9.holdMs, checkOrder: false });
  ctx.log(`  ${describeStep(mosquitto)}`);

  const disconnectsBefore = operator.disconnects;
  rig.platformButtons.stats.takePubackLatency();
  let probe: ProbeResult | null = null;
  let holdEnded = 0;
  const platform = await alertRound(ctx, 'platform', rate, {
    holdMs: s9.holdMs,
    // One press per alarm resident at most, so each raises its own alert.
    alarmRate: Math.min(s9.alarmRate, ctx.alarms.length / Math.max(1, (s9.holdMs - 2_000) / 1000)),
    graceMs: s9.graceMs,
    alongside: async (window) => {
      probe = await probeOverload(ctx, window, s9.holdMs);
      holdEnded = performance.now();
    },
  });
  const sosPuback = rig.platformButtons.stats.takePubackLatency().summary();
  const outstanding = await ctx.gen.drain(PLATFORM_FLEET, s9.recoverMs);
  const recovery = { outstanding, afterHoldMs: outstanding === 0 ? performance.now() - holdEnded : null };
  const proc = ctx.platform.proc;
  const exited = proc.exitCode ?? proc.signalCode;
  const step: OverloadStep = {
    multiple,
    rate,
    mosquitto,
    platform,
    probe,
    sosPuback,
    consoleDisconnects: operator.disconnects - disconnectsBefore,
    recovery,
    rssAfterBytes: rssBytes(ctx.platform.pid),
    platformExited: exited === null ? null : String(exited),
  };
  ctx.log(`  ${describeOverload(step, max)}`);
  if (step.platformExited === null) await settle(ctx, 15_000);
  return step;
}

function describeOverload(s: OverloadStep, max: number): string {
  const p = s.probe;
  return [
    `platform ${s.multiple}× (${fmt(s.rate, 0)} msg/s): committed ${dash(p?.committedPerSecond, 0)} msg/s (${pct(share(p?.committedPerSecond, max))} of max)`,
    `PUBACK p99 ${dash(s.platform.load.latency.p99)} ms`,
    `SOS PUBACK p99 ${dash(s.sosPuback.p99)} ms`,
    `SOS → alert p99 ${dash(s.platform.latency.p99)} ms (${s.platform.received}/${s.platform.presses})`,
    `RSS peak ${mb(p?.rssPeakBytes ?? null)}`,
    `${s.consoleDisconnects} console drops`,
    `${dash(p?.logLinesPerSecond)} log lines/s`,
    `loop p99/max ${dash(p?.loopDelay?.p99Ms)}/${dash(p?.loopDelay?.maxMs)} ms`,
    `health max ${dash(p?.health.max)} ms (${p?.health.failed ?? '—'} failed)`,
    `${s.recovery.outstanding} QoS 1 still owed after recovery${s.platformExited ? `; PLATFORM EXITED (${s.platformExited})` : ''}`,
  ].join(', ');
}

function share(value: number | null | undefined, of: number): number | null {
  return value === null || value === undefined || of <= 0 ? null : value / of;
}

function stepTable(steps: OverloadStep[], max: number): string {
  const header = ['figure', ...steps.map((s) => `${s.multiple}× (${fmt(s.rate, 0)} msg/s offered)`)];
  const row = (figure: string, cell: (s: OverloadStep) => string) => [figure, ...steps.map(cell)];
  const shed = (s: OverloadStep) => SHED_COUNTERS.map((name) => dash(s.probe?.shed[name] ?? null, 0)).join(' / ');
  return renderGrid(header, [
    // Late slots: the generator's own core fell behind the schedule (it then catches up).
    row(
      'sent by the generator msg/s (late slots)',
      (s) => `${fmt(s.platform.load.achievedPerSecond, 0)} (${s.platform.load.lateSlots})`,
    ),
    row('committed msg/s (last ¾ of the hold)', (s) => dash(s.probe?.committedPerSecond, 0)),
    row('… share of offered / of S1 max', (s) => {
      const c = s.probe?.committedPerSecond;
      return `${pct(share(c, s.rate))} / ${pct(share(c, max))}`;
    }),
    row('committed by hold + 5 s / sent', (s) => {
      const c = s.platform.load.committed;
      return c ? `${c.telemetryDistinct + c.eventRows} / ${s.platform.load.sent}` : '—';
    }),
    row(
      'telemetry PUBACK p50 / p99 ms',
      (s) => `${dash(s.platform.load.latency.p50)} / ${dash(s.platform.load.latency.p99)}`,
    ),
    row('Mosquitto PUBACK p50 / p99 ms', (s) => `${dash(s.mosquitto.latency.p50)} / ${dash(s.mosquitto.latency.p99)}`),
    row(
      'CPU-µs/msg platform + PG / Mosquitto',
      (s) => `${dash(s.platform.load.cpuPerMessage)} / ${dash(s.mosquitto.cpuPerMessage)}`,
    ),
    row('SOS PUBACK p99 / max ms', (s) => `${dash(s.sosPuback.p99)} / ${dash(s.sosPuback.max)}`),
    row('SOS → alert:raised p99 / max ms (arrived / pressed)', (s) => {
      const a = s.platform;
      return `${dash(a.latency.p99)} / ${dash(a.latency.max)} (${a.received} / ${a.presses})`;
    }),
    row('platform RSS peak / after recovery', (s) => `${mb(s.probe?.rssPeakBytes ?? null)} / ${mb(s.rssAfterBytes)}`),
    row('console disconnects', (s) => String(s.consoleDisconnects)),
    row('platform log lines/s (LOG_LEVEL=warn)', (s) => dash(s.probe?.logLinesPerSecond)),
    row(
      'event-loop delay p99 / max ms',
      (s) => `${dash(s.probe?.loopDelay?.p99Ms)} / ${dash(s.probe?.loopDelay?.maxMs)}`,
    ),
    row('GET /health p99 / max ms (failed)', (s) =>
      s.probe ? `${dash(s.probe.health.p99)} / ${dash(s.probe.health.max)} (${s.probe.health.failed})` : '—',
    ),
    row('backpressure waits / telemetry shed / rule readings shed', shed),
    row(
      'QoS 1 owed at hold + 5 s / after recovery',
      (s) => `${s.platform.load.outstanding} / ${s.recovery.outstanding}`,
    ),
    row('backlog worked off by (s after the hold)', (s) => dash((s.recovery.afterHoldMs ?? NaN) / 1000)),
  ]);
}

function summaryRows(steps: OverloadStep[], max: number): TableRow[] {
  const each = (cell: (s: OverloadStep) => string) => steps.map(cell).join(' / ');
  const multiples = steps.map((s) => `${s.multiple}×`).join(' / ');
  const shares = steps.map((s) => share(s.probe?.committedPerSecond, max) ?? 0);
  const worst = steps[shares.indexOf(Math.min(...shares))];
  const top = steps[steps.length - 1];
  const alertsLost = steps.reduce((n, s) => n + s.platform.lost, 0);
  const lifeSafetyP99 = (s: OverloadStep) => Math.max(s.sosPuback.p99 ?? Infinity, s.platform.latency.p99 ?? Infinity);
  const rows: TableRow[] = [
    {
      scenario: 'S9',
      figure: `committed msg/s at ${multiples} S1's max (${each((s) => fmt(s.rate, 0))} offered)`,
      anxin: `${each((s) => dash(s.probe?.committedPerSecond, 0))} (${each((s) => pct(share(s.probe?.committedPerSecond, max)))} of max)`,
      peer: `${each((s) => fmt((s.mosquitto.pubacks * 1000) / s.mosquitto.holdMs, 0))} acknowledged/s`,
      peerName: 'Mosquitto 2.0',
      ratio: null,
      goal: `≥ ${GOALS.commitShareOfMax * 100} % of S1 max at every step`,
      verdict:
        worst && Math.min(...shares) >= GOALS.commitShareOfMax
          ? 'met'
          : `MISSED: ${pct(Math.min(...shares))} at ${worst?.multiple ?? '?'}×`,
    },
    {
      scenario: 'S9',
      figure: `SOS PUBACK p99; SOS → alert:raised p99 at ${multiples}`,
      anxin: `${each((s) => dash(s.sosPuback.p99))} ms; ${each((s) => dash(s.platform.latency.p99))} ms; ${alertsLost} lost`,
      peer: `telemetry PUBACK p99 ${each((s) => dash(s.mosquitto.latency.p99))} ms`,
      peerName: 'Mosquitto 2.0',
      ratio: null,
      goal: `≤ ${fmt(GOALS.lifeSafetyP99Ms, 0)} ms at 3×, 0 lost`,
      verdict:
        top && lifeSafetyP99(top) <= GOALS.lifeSafetyP99Ms && alertsLost === 0
          ? 'met'
          : `MISSED: ${top ? `${dash(lifeSafetyP99(top))} ms at ${top.multiple}×` : 'no step'}, ${alertsLost} lost`,
    },
    {
      scenario: 'S9',
      figure: 'server CPU-µs per message (platform + PostgreSQL) at each step',
      anxin: `${each((s) => dash(s.platform.load.cpuPerMessage))} µs`,
      peer: `${each((s) => dash(s.mosquitto.cpuPerMessage))} µs`,
      peerName: 'Mosquitto 2.0',
      ratio: spread(steps.map((s) => s.platform.load.cpuPerMessage / s.mosquitto.cpuPerMessage)),
      goal: '—',
      verdict: 'measured',
    },
  ];
  if (top) {
    const p = top.probe;
    const misses = [
      (p?.rssPeakBytes ?? Infinity) >= GOALS.rssBytes ? `RSS ${mb(p?.rssPeakBytes ?? null)}` : null,
      top.consoleDisconnects > 0 ? `${top.consoleDisconnects} console drops` : null,
      (p?.loopDelay?.maxMs ?? Infinity) >= GOALS.loopMs ? `loop max ${dash(p?.loopDelay?.maxMs)} ms` : null,
      (p?.health.max ?? Infinity) >= GOALS.healthMs || (p?.health.failed ?? 1) > 0
        ? `health max ${dash(p?.health.max)} ms, ${p?.health.failed ?? '—'} failed`
        : null,
      top.platformExited ? `platform exited (${top.platformExited})` : null,
    ].filter((m): m is string => m !== null);
    rows.push({
      scenario: 'S9',
      figure: `at ${top.multiple}×: RSS peak, console drops, event-loop max, /health max, log lines/s`,
      anxin: `${mb(p?.rssPeakBytes ?? null)}, ${top.consoleDisconnects}, ${dash(p?.loopDelay?.maxMs)} ms, ${dash(p?.health.max)} ms, ${dash(p?.logLinesPerSecond)}/s`,
      peer: '—',
      peerName: '—',
      ratio: null,
      goal: 'RSS < 1.5 GB, 0 drops, loop < 1 s, health < 1 s',
      verdict: misses.length === 0 ? 'met' : `MISSED: ${misses.join('; ')}`,
    });
  }
  return rows;
}

export async function runS9(ctx: BenchContext): Promise<ScenarioResult> {
  const result = newResult('S9', 'Overload: degrade, never collapse');
  const max = requireS1(ctx, result);
  if (max === null) return result;
  await ensureFleets(ctx);
  // Alerts left open by earlier scenarios would fold the first presses into them instead of raising new ones.
  await resolveActiveAlerts(ctx.prov.api);
  await settle(ctx, 15_000);
  const { s9 } = ctx.cfg;
  // A console connected throughout, as an operator's would be: its drops are the figure.
  const operator = new AlertWatcher();
  await operator.connect(ctx.platform.baseUrl, ctx.prov.admin.accessToken);
  const steps: OverloadStep[] = [];
  try {
    for (const multiple of s9.multiples) {
      ctx.log(`  ${multiple}× S1's max: ${fmt(max * multiple, 0)} msg/s offered for ${fmt(s9.holdMs / 1000, 0)} s`);
      const step = await overloadStep(ctx, multiple, max, operator);
      steps.push(step);
      if (step.platformExited) {
        result.status = 'error';
        result.notes.push(`the platform process exited (${step.platformExited}) after the ${multiple}× step`);
        break;
      }
    }
  } finally {
    operator.close();
  }
  result.rows.push(...summaryRows(steps, max));
  result.table = `S9 step by step (S1 max ${fmt(max, 0)} msg/s)\n${stepTable(steps, max)}`;
  const top = steps[steps.length - 1];
  if (top?.platform.hops) {
    const hops = Object.entries(top.platform.hops)
      .map(([name, p]) => `${name} p50 ${dash(p.p50)} / p99 ${dash(p.p99)} ms`)
      .join('; ');
    result.notes.push(`SOS hops at ${top.multiple}×: ${hops}.`);
  }
  for (const s of steps)
    if (s.probe?.problems.length) result.notes.push(`${s.multiple}× step: ${s.probe.problems.join('; ')}.`);
  const missingSeries = SHED_COUNTERS.filter((name) => steps.every((s) => s.probe?.shed[name] === null));
  result.notes.push(
    `Each step: Mosquitto, then the platform at the same offered rate for ${fmt(s9.holdMs / 1000, 0)} s (open loop, S1's mix), SOS presses on distinct residents through the middle of the window; committed msg/s counts the window's rows in the database over its last three quarters; RSS from /proc every 200 ms; /health polled one request at a time; the delay and shed figures come from GET /metrics at the start and end of the window.${missingSeries.length > 0 ? ` Not exported by this build (—): ${missingSeries.join(', ')}.` : ''}`,
  );
  result.details = { s1Max: max, steps };
  return result;
}

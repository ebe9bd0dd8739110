// S3: alert latency at ~50 % of S1's max load. S4: the same at 90 % with a
// 1,000-device reconnect storm in the window; alerts lost must be 0.
// Rounds alternate relay (Mosquitto) and platform: A B A B.
import { fmt, fmtSpread, type Percentiles, spread } from '../measure/stats';
import { type AlertRound, alertRound } from './alert-latency';
import { type BenchContext, ensureFleets, newResult, requireS1, type ScenarioResult, settle } from './context';

function summary(rounds: AlertRound[], pick: (p: Percentiles) => number | null) {
  return spread(rounds.map((r) => pick(r.latency) ?? NaN));
}

function ratios(pairs: { platform: AlertRound; relay: AlertRound }[], pick: (p: Percentiles) => number | null) {
  return spread(pairs.map((p) => (pick(p.platform.latency) ?? NaN) / (pick(p.relay.latency) ?? NaN)));
}

function hopSummary(rounds: AlertRound[]): string {
  const names = Object.keys(rounds[0]?.hops ?? {});
  return names
    .map((name) => {
      const p50 = spread(rounds.map((r) => r.hops?.[name]?.p50 ?? NaN));
      const p99 = spread(rounds.map((r) => r.hops?.[name]?.p99 ?? NaN));
      return `${name}: p50 ${fmt(p50?.median)} / p99 ${fmt(p99?.median)} ms`;
    })
    .join('; ');
}

async function rounds(
  ctx: BenchContext,
  rate: number,
  n: number,
  opts: {
    holdMs: number;
    alarmRate: number;
    graceMs: number;
    storm?: { count: number; atMs: number };
    finalDrainMs?: number;
  },
): Promise<{ platform: AlertRound; relay: AlertRound }[]> {
  const pairs: { platform: AlertRound; relay: AlertRound }[] = [];
  for (let i = 0; i < n; i++) {
    const relay = await alertRound(ctx, 'mosquitto', rate, opts);
    ctx.log(
      `  relay round ${i + 1}: ${relay.received}/${relay.presses} alerts, p50 ${fmt(relay.latency.p50)} / p99 ${fmt(relay.latency.p99)} / p99.9 ${fmt(relay.latency.p999)} ms, lost ${relay.lost}${relay.load.reconnects ? `, ${relay.load.reconnects} reconnects` : ''}`,
    );
    const platform = await alertRound(ctx, 'platform', rate, opts);
    ctx.log(
      `  platform round ${i + 1}: ${platform.received}/${platform.presses} alerts, p50 ${fmt(platform.latency.p50)} / p99 ${fmt(platform.latency.p99)} / p99.9 ${fmt(platform.latency.p999)} ms, lost ${platform.lost}${platform.load.reconnects ? `, ${platform.load.reconnects} reconnects` : ''}; background ${platform.load.pass ? 'held' : `did not hold (${platform.load.why.join('; ')})`}${platform.finalDrainMs > 500 ? `; after ${fmt(platform.finalDrainMs / 1000, 0)} s more: ${platform.finalLost ?? 0} never committed` : ''}`,
    );
    pairs.push({ platform, relay });
    await settle(ctx, 10_000);
  }
  return pairs;
}

export async function runS3(ctx: BenchContext): Promise<ScenarioResult> {
  const result = newResult('S3', 'Alert latency at ~50 % of S1 max');
  const max = requireS1(ctx, result);
  if (max === null) return result;
  await ensureFleets(ctx);
  const { s3 } = ctx.cfg;
  const rate = Math.round(max * 0.5);
  ctx.log(`  background ${rate} msg/s, SOS presses ${s3.alarmRate}/s`);
  const pairs = await rounds(ctx, rate, s3.rounds, s3);
  const platform = pairs.map((p) => p.platform);
  const relay = pairs.map((p) => p.relay);
  const lost = platform.reduce((n, r) => n + r.lost, 0);
  const presses = platform.reduce((n, r) => n + r.presses, 0);
  result.rows.push({
    scenario: 'S3',
    figure: `alert latency p50 / p99 / p99.9, publish → alert:raised (${fmt(rate, 0)} msg/s background)`,
    anxin: `${fmtSpread(summary(platform, (p) => p.p50))} / ${fmtSpread(summary(platform, (p) => p.p99))} / ${fmt(summary(platform, (p) => p.p999)?.median)} ms`,
    peer: `${fmt(summary(relay, (p) => p.p50)?.median)} / ${fmt(summary(relay, (p) => p.p99)?.median)} / ${fmt(summary(relay, (p) => p.p999)?.median)} ms`,
    peerName: 'Mosquitto + socket.io relay',
    ratio: ratios(pairs, (p) => p.p99),
    goal: '0 lost',
    verdict: lost === 0 ? `met (${presses} presses, ratio is p99)` : `MISSED: ${lost} of ${presses} alerts lost`,
  });
  result.notes.push(`Hops (platform, medians over rounds): ${hopSummary(platform)}.`);
  result.notes.push(
    `${s3.rounds} A/B rounds of ${fmt(s3.holdMs / 1000, 0)} s, ${s3.alarmRate} SOS presses/s on distinct residents (open alerts resolved between rounds), p99.9 from ${fmt(presses / Math.max(1, s3.rounds), 0)} presses per round is close to the max.`,
  );
  result.details = { backgroundRate: rate, pairs };
  return result;
}

export async function runS4(ctx: BenchContext): Promise<ScenarioResult> {
  const result = newResult('S4', 'Alert latency at 90 % load with a reconnect storm');
  const max = requireS1(ctx, result);
  if (max === null) return result;
  await ensureFleets(ctx);
  const { s4 } = ctx.cfg;
  const rate = Math.round(max * 0.9);
  const storm = { count: Math.min(s4.stormDevices, Math.max(1, Math.round(rate))), atMs: Math.round(s4.holdMs / 3) };
  ctx.log(
    `  background ${rate} msg/s, SOS presses ${s4.alarmRate}/s, ${storm.count} devices dropped at ${fmt(storm.atMs / 1000, 0)} s`,
  );
  const pairs = await rounds(ctx, rate, s4.rounds, { ...s4, storm, finalDrainMs: 30_000 });
  const platform = pairs.map((p) => p.platform);
  const relay = pairs.map((p) => p.relay);
  const lost = platform.reduce((n, r) => n + r.lost, 0);
  const presses = platform.reduce((n, r) => n + r.presses, 0);
  const late = platform.reduce((n, r) => n + (r.load.committed?.lost ?? 0), 0);
  const neverCommitted = platform.reduce((n, r) => n + (r.finalLost ?? 0), 0);
  const reconnected = (rs: AlertRound[]) => rs.map((r) => r.load.reconnects).join(', ');
  const dups = platform.reduce((n, r) => n + (r.load.committed?.duplicates ?? 0), 0);
  result.rows.push({
    scenario: 'S4',
    figure: `alert p99 at 90 % load (${fmt(rate, 0)} msg/s) + ${storm.count}-device reconnect storm`,
    anxin: `${fmtSpread(summary(platform, (p) => p.p99))} ms (p50 ${fmt(summary(platform, (p) => p.p50)?.median)})`,
    peer: `${fmtSpread(summary(relay, (p) => p.p99))} ms (p50 ${fmt(summary(relay, (p) => p.p50)?.median)})`,
    peerName: 'Mosquitto + socket.io relay',
    ratio: ratios(pairs, (p) => p.p99),
    goal: '0 alerts lost',
    verdict: lost === 0 ? `met: 0 of ${presses} lost` : `MISSED: ${lost} of ${presses} alerts lost`,
  });
  result.rows.push({
    scenario: 'S4',
    figure: 'background QoS 1 messages: not committed by the end of the window + 5 s / ever',
    anxin: `${late} / ${neverCommitted}`,
    peer: `${relay.reduce((n, r) => n + r.load.outstanding, 0)} / ${relay.reduce((n, r) => n + (r.finalLost ?? 0), 0)} without PUBACK`,
    peerName: 'Mosquitto',
    ratio: null,
    goal: '0 lost',
    verdict: neverCommitted === 0 ? `met (late only: ${late})` : `MISSED: ${neverCommitted} never committed`,
  });
  result.notes.push(
    `Storm: ${storm.count} background devices' TCP connections destroyed at once ${fmt(storm.atMs / 1000, 0)} s into a ${fmt(s4.holdMs / 1000, 0)} s window; they redial after 0.75–1.25 s and resend unacknowledged QoS 1 messages with DUP. Reconnected by the end of each window (incl. 5 s drain): platform ${reconnected(platform)}, Mosquitto ${reconnected(relay)}. Telemetry rows stored twice (redelivered DUP): ${dups}.`,
    `Hops (platform): ${hopSummary(platform)}.`,
  );
  result.details = { backgroundRate: rate, storm, pairs };
  return result;
}

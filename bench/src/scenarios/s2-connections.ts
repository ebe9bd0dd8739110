// S2 connections: idle devices (CONNECT with a will, SUBSCRIBE to commands,
// retained online status, keepalive 60 s) ramped in stages; memory per
// connection = server RSS delta ÷ connections, and the connect rate.
// Peer: bare aedes (a few lines, the broker the platform embeds). Order:
// aedes, platform, aedes (A B A); Mosquitto is ramped last and its fleet stays
// open for S1.
import type { DeviceSpec } from '../load/bench-device';
import { CpuMeter, rssBytes } from '../measure/proc';
import { fmt, fmtSpread, spread } from '../measure/stats';
import { startPeer } from '../services/peer';
import {
  backgroundCount,
  type BenchContext,
  MOSQUITTO_FLEET,
  newResult,
  PLATFORM_FLEET,
  platformMeter,
  type ScenarioResult,
  settle,
  sleep,
} from './context';

interface Ramp {
  server: string;
  baselineRss: number;
  stages: { connections: number; rss: number; connectMs: number; perSecond: number; failed: number; refused: number }[];
  bytesPerConnection: number;
  connectPerSecond: number;
  /** Server CPU-µs per connect (CONNECT, SUBSCRIBE, retained status, the platform's DB writes), settle included. */
  cpuPerConnect: number;
}

/** Homes cut at stage boundaries (by device count). */
function stagesOf(homes: DeviceSpec[][], stages: number[]): DeviceSpec[][][] {
  const out: DeviceSpec[][][] = [];
  let h = 0;
  let count = 0;
  for (const target of stages) {
    const stage: DeviceSpec[][] = [];
    while (h < homes.length && count < target) {
      const home = homes[h++]!;
      stage.push(home);
      count += home.length;
    }
    if (stage.length > 0) out.push(stage);
  }
  return out;
}

async function ramp(
  ctx: BenchContext,
  server: string,
  fleet: string,
  meter: CpuMeter,
  pid: number,
  port: number,
  homes: DeviceSpec[][][],
  afterStage: () => Promise<void>,
): Promise<Ramp> {
  await sleep(1_000);
  const baselineRss = rssBytes(pid) ?? 0;
  await meter.start();
  const stages: Ramp['stages'] = [];
  let connections = 0;
  for (const stage of homes) {
    const opened = await ctx.gen.open(fleet, { host: '127.0.0.1', port, tls: false }, stage, {
      keepaliveSeconds: ctx.cfg.keepaliveSeconds,
      statusAndWill: true,
      subscribe: true,
      concurrency: ctx.cfg.s2.connectConcurrency,
    });
    connections += opened.connected;
    if (opened.problems.length > 0)
      ctx.log(`    ${server}: ${opened.failed} failed, ${opened.refused} refused, e.g. ${opened.problems[0]}`);
    await afterStage();
    const rss = rssBytes(pid) ?? 0;
    stages.push({
      connections,
      rss,
      connectMs: opened.ms,
      perSecond: opened.perSecond,
      failed: opened.failed,
      refused: opened.refused,
    });
    ctx.log(`    ${server}: ${connections} connected (${fmt(opened.perSecond, 0)}/s), RSS ${fmt(rss / 2 ** 20)} MiB`);
  }
  const cpu = await meter.stop();
  const last = stages[stages.length - 1];
  const connectMs = stages.reduce((n, s) => n + s.connectMs, 0);
  return {
    cpuPerConnect: last && last.connections > 0 ? cpu.total / last.connections : NaN,
    server,
    baselineRss,
    stages,
    bytesPerConnection: last && last.connections > 0 ? (last.rss - baselineRss) / last.connections : NaN,
    connectPerSecond: last && connectMs > 0 ? (last.connections * 1000) / connectMs : NaN,
  };
}

export async function runS2(ctx: BenchContext): Promise<ScenarioResult> {
  const result = newResult('S2', 'Idle connections: memory per connection and connect rate');
  const { s2 } = ctx.cfg;
  const all = backgroundCount(ctx);
  const stages = stagesOf(
    ctx.background,
    s2.stageFractions.map((f) => Math.round(f * all)),
  );
  const total = stages.flat().reduce((n, h) => n + h.length, 0);
  result.details.stages = stages.map((s) => s.reduce((n, h) => n + h.length, 0));
  const aedesRamps: Ramp[] = [];

  const aedesRound = async (round: number) => {
    const peer = await startPeer('aedes-server', [], ctx.cfg.serverCpus);
    try {
      ctx.log(`  bare aedes, round ${round}`);
      const meter = new CpuMeter({ aedes: () => [peer.pid] });
      aedesRamps.push(await ramp(ctx, 'aedes', 'aedes', meter, peer.pid, peer.port, stages, () => sleep(s2.settleMs)));
    } finally {
      await ctx.gen.close('aedes');
      await peer.stop();
    }
  };

  await aedesRound(1);
  ctx.log('  platform');
  // The platform writes online/last-seen for every connect; RSS is read once that backlog is worked off.
  const platformRamp = await ramp(
    ctx,
    'platform',
    PLATFORM_FLEET,
    platformMeter(ctx),
    ctx.platform.pid,
    ctx.platform.mqttPort,
    stages,
    async () => {
      await sleep(s2.settleMs);
      await settle(ctx, 30_000);
    },
  );
  ctx.openFleets.add(PLATFORM_FLEET);
  for (let r = 2; r <= s2.aedesRounds; r++) await aedesRound(r);
  ctx.log('  Mosquitto (its fleet stays open for S1)');
  const mosquittoRamp = await ramp(
    ctx,
    'mosquitto',
    MOSQUITTO_FLEET,
    new CpuMeter({ mosquitto: () => [ctx.mosquitto.pid] }),
    ctx.mosquitto.pid,
    ctx.mosquitto.port,
    stages,
    () => sleep(s2.settleMs),
  );
  ctx.openFleets.add(MOSQUITTO_FLEET);

  const kb = (b: number) => b / 1024;
  const memRatios = spread(aedesRamps.map((a) => platformRamp.bytesPerConnection / a.bytesPerConnection));
  const rateRatios = spread(aedesRamps.map((a) => platformRamp.connectPerSecond / a.connectPerSecond));
  const aedesMem = spread(aedesRamps.map((a) => kb(a.bytesPerConnection)));
  const aedesRate = spread(aedesRamps.map((a) => a.connectPerSecond));
  result.rows.push({
    scenario: 'S2',
    figure: `memory per idle connection (${total.toLocaleString('en-US')} devices)`,
    anxin: `${fmt(kb(platformRamp.bytesPerConnection))} KB`,
    peer: `${fmtSpread(aedesMem, 1, ' KB')}; Mosquitto ${fmt(kb(mosquittoRamp.bytesPerConnection), 2)} KB`,
    peerName: 'bare aedes 1.2',
    ratio: memRatios,
    goal: '—',
    verdict: 'reported',
  });
  const cpuRatios = spread(aedesRamps.map((a) => platformRamp.cpuPerConnect / a.cpuPerConnect));
  result.rows.push({
    scenario: 'S2',
    figure: 'server CPU per connect (platform + PostgreSQL)',
    anxin: `${fmt(platformRamp.cpuPerConnect / 1000, 2)} ms`,
    peer: `${fmtSpread(spread(aedesRamps.map((a) => a.cpuPerConnect / 1000)), 2, ' ms')}; Mosquitto ${fmt(mosquittoRamp.cpuPerConnect / 1000, 3)} ms`,
    peerName: 'bare aedes 1.2',
    ratio: cpuRatios,
    goal: '—',
    verdict: 'reported',
  });
  result.rows.push({
    scenario: 'S2',
    figure: `connect rate (CONNACK/s, ${s2.connectConcurrency} dialling)`,
    anxin: `${fmt(platformRamp.connectPerSecond, 0)}/s`,
    peer: `${fmtSpread(aedesRate, 0, '/s')}; Mosquitto ${fmt(mosquittoRamp.connectPerSecond, 0)}/s`,
    peerName: 'bare aedes 1.2',
    ratio: rateRatios,
    goal: '—',
    verdict: 'reported',
  });
  result.details = {
    ...result.details,
    platform: platformRamp,
    aedes: aedesRamps,
    mosquitto: mosquittoRamp,
    devices: total,
  };
  result.notes.push(
    'RSS is the server process only (kernel socket buffers are not in it); the platform is ramped once (A B A with two aedes rounds) because its fleet then carries S1.',
    'Each device: CONNECT with a retained QoS 1 will, SUBSCRIBE to its commands topic, retained {"online":true}; keepalive 60 s.',
  );
  return result;
}

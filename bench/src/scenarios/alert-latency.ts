// S3 and S4: device SOS press (intended send time, stamped in `ts`) → a real
// socket.io console receiving `alert:raised`, with background telemetry
// running on the same open-loop schedule. Peer: Mosquitto + a bare relay that
// re-emits SOS events on socket.io. Platform rounds also trace each hop from
// the database (received → rules → console), so a regression names its stage.
import type { BrokerAddress } from '../../../devices-sim/src/transport/raw-client';
import { SEQ_SPAN } from '../load/bench-device';
import { AlarmButtons, AlertWatcher, type Injection } from '../load/alarms';
import { Latency, type Percentiles } from '../measure/stats';
import { resolveActiveAlerts } from '../platform/alert-cleanup';
import { type Peer, startPeer } from '../services/peer';
import { type BenchContext, MOSQUITTO_FLEET, PLATFORM_FLEET, sleep } from './context';
import { countCommitted, type LoadStep, loadStep, type StepWindow, type Target } from './load-step';

export interface AlertRound {
  target: Target;
  backgroundRate: number;
  presses: number;
  received: number;
  lost: number;
  latency: Percentiles;
  hops: Record<string, Percentiles> | null;
  load: LoadStep;
  /** After a longer drain: background messages never committed (null when not checked). */
  finalLost: number | null;
  finalDrainMs: number;
}

/** Alarm buttons and the relay, created once per bench run and shared by S3, S4, S6 and S7. */
export interface AlarmRig {
  platformButtons: AlarmButtons;
  mosquittoButtons: AlarmButtons;
  relay: Peer;
}

const rigs = new WeakMap<BenchContext, AlarmRig>();

export async function alarmRig(ctx: BenchContext): Promise<AlarmRig> {
  const existing = rigs.get(ctx);
  if (existing) return existing;
  const broker = (port: number): BrokerAddress => ({ host: '127.0.0.1', port, tls: false });
  const platformButtons = new AlarmButtons(ctx.alarms, broker(ctx.platform.mqttPort));
  const mosquittoButtons = new AlarmButtons(ctx.alarms, broker(ctx.mosquitto.port));
  await platformButtons.connect();
  await mosquittoButtons.connect();
  const relay = await startPeer('socketio-relay', [String(ctx.mosquitto.port)], ctx.cfg.serverCpus);
  const rig = { platformButtons, mosquittoButtons, relay };
  rigs.set(ctx, rig);
  return rig;
}

export async function closeAlarmRig(ctx: BenchContext): Promise<void> {
  const rig = rigs.get(ctx);
  if (!rig) return;
  rigs.delete(ctx);
  await rig.platformButtons.close();
  await rig.mosquittoButtons.close();
  await rig.relay.stop();
}

async function traceHops(
  ctx: BenchContext,
  tag: number,
  presses: Injection[],
  watcher: AlertWatcher,
): Promise<Record<string, Percentiles>> {
  const rows = await ctx.db.query<{ device_id: string; seq: string; recv: number; proc: number | null }>(
    `SELECT device_id::text, seq::text, extract(epoch FROM received_at) * 1000 AS recv, extract(epoch FROM processed_at) * 1000 AS proc
     FROM device_events WHERE device_id = ANY($1::uuid[]) AND seq >= $2 AND seq < $3`,
    [[...new Set(presses.map((p) => p.deviceId))], tag * SEQ_SPAN, (tag + 1) * SEQ_SPAN],
  );
  // processed_at is the start of the transaction that ruled the event: the one storing it when its
  // resident had nothing else pending (issue 13), else a rule pass's.
  const hops = {
    'publish → stored event received': new Latency(),
    'received → ruling transaction started': new Latency(),
    'ruling transaction → console': new Latency(),
  };
  for (const r of rows) {
    const arrival = watcher.arrivals.get(`${r.device_id}:${r.seq}`);
    if (!arrival) continue;
    const recv = Number(r.recv);
    hops['publish → stored event received'].record(recv - arrival.press.intendedAt);
    if (r.proc !== null) {
      hops['received → ruling transaction started'].record(Number(r.proc) - recv);
      hops['ruling transaction → console'].record(arrival.at - Number(r.proc));
    }
  }
  return Object.fromEntries(Object.entries(hops).map(([k, v]) => [k, v.percentiles()]));
}

/** One window: background load at `rate` on `target`, SOS presses at `alarmRate` in its middle. */
export async function alertRound(
  ctx: BenchContext,
  target: Target,
  rate: number,
  opts: {
    holdMs: number;
    alarmRate: number;
    graceMs: number;
    storm?: { count: number; atMs: number };
    finalDrainMs?: number;
    /** Runs beside the presses while the load is on (S9's probes). */
    alongside?: (window: StepWindow) => Promise<unknown>;
  },
): Promise<AlertRound> {
  const rig = await alarmRig(ctx);
  const buttons = target === 'platform' ? rig.platformButtons : rig.mosquittoButtons;
  const watcher = new AlertWatcher();
  if (target === 'platform') await watcher.connect(ctx.platform.baseUrl, ctx.prov.admin.accessToken);
  else await watcher.connect(`http://127.0.0.1:${rig.relay.port}`, null);
  const tag = ctx.nextTag();
  const presses: Injection[] = [];
  // Presses start a second in and stop a second before the end: the load is steady around all of them.
  const pressWindowMs = Math.max(1_000, opts.holdMs - 2_000);
  const count = Math.max(1, Math.round((opts.alarmRate * pressWindowMs) / 1000));
  const load = await loadStep(ctx, target, rate, {
    holdMs: opts.holdMs,
    checkOrder: false,
    ...(opts.storm ? { storm: opts.storm } : {}),
    during: async (window) => {
      const press = async () => {
        await sleep(1_000);
        presses.push(...(await buttons.inject(opts.alarmRate, count, tag, (p) => watcher.expect(p))));
      };
      await Promise.all([press(), opts.alongside?.(window)]);
    },
  });
  const lost = await watcher.settle(opts.graceMs);
  const hops = target === 'platform' ? await traceHops(ctx, tag, presses, watcher) : null;
  watcher.close();
  // Late is not lost: give what was still owed a longer drain, then count the window's rows again.
  let finalLost: number | null = null;
  const drainStarted = performance.now();
  if (opts.finalDrainMs && (load.outstanding > 0 || (load.committed?.lost ?? 0) > 0)) {
    const outstanding = await ctx.gen.drain(
      target === 'platform' ? PLATFORM_FLEET : MOSQUITTO_FLEET,
      opts.finalDrainMs,
    );
    if (target === 'platform') {
      const again = await countCommitted(ctx, load.tag, new Date(load.since), false);
      finalLost =
        Math.max(0, load.telemetrySent - again.telemetryDistinct) + Math.max(0, load.eventsSent - again.eventRows);
    } else {
      finalLost = outstanding;
    }
  } else if (opts.finalDrainMs) {
    finalLost = 0;
  }
  const finalDrainMs = performance.now() - drainStarted;
  if (target === 'platform') await resolveActiveAlerts(ctx.prov.api);
  return {
    target,
    backgroundRate: rate,
    presses: presses.length,
    received: watcher.latency.count,
    lost,
    latency: watcher.latency.percentiles(),
    hops,
    load,
    finalLost,
    finalDrainMs,
  };
}

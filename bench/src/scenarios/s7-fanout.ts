// S7 console fan-out: N consoles on `/console`; SOS presses at R/s for D s
// through the whole platform path (each press raises or updates an alert,
// emitted to every console). CPU per delivery = platform + PostgreSQL CPU ÷
// deliveries counted at the consoles; the same presses with no console
// connected give the path's own cost, so the difference is the fan-out's.
// Peer: a bare socket.io server broadcasting the same alert JSON at the
// platform's delivered alert rate to the same N consoles.
import { CpuMeter, type CpuSample } from '../measure/proc';
import { fmt, fmtSpread, spread } from '../measure/stats';
import { resolveActiveAlerts } from '../platform/alert-cleanup';
import { type Peer, startPeer } from '../services/peer';
import { alarmRig } from './alert-latency';
import { type BenchContext, newResult, platformMeter, type ScenarioResult, settle, sleep } from './context';

interface FanoutRun {
  consoles: number;
  /** Consoles the server dropped during the run. */
  disconnects: number;
  presses: number;
  deliveries: number;
  cpu: CpuSample;
  cpuPerDelivery: number;
  alertsPerSecond: number;
}

async function deliveries(consoles: Peer): Promise<{ deliveries: number; payloadBytes: number; disconnects: number }> {
  return consoles.ask<{ type: string; deliveries: number; payloadBytes: number; disconnects: number }>(
    { type: 'count' },
    'count',
  );
}

/** Waits until the consoles' delivery count stops growing (the platform worked off its backlog). */
async function quiesce(consoles: Peer | null, maxMs: number): Promise<void> {
  if (!consoles) return;
  const deadline = performance.now() + maxMs;
  let last = -1;
  for (;;) {
    const { deliveries: now } = await deliveries(consoles);
    if (now === last || performance.now() > deadline) return;
    last = now;
    await sleep(500);
  }
}

async function platformRun(ctx: BenchContext, consoles: Peer | null, n: number): Promise<FanoutRun> {
  const { s7 } = ctx.cfg;
  const rig = await alarmRig(ctx);
  await resolveActiveAlerts(ctx.prov.api);
  await settle(ctx, 10_000);
  if (consoles)
    await consoles.ask(
      { type: 'connect', url: ctx.platform.baseUrl, token: ctx.prov.admin.accessToken, count: n },
      'connected',
      30_000,
    );
  const start = consoles ? await deliveries(consoles) : { deliveries: 0, disconnects: 0 };
  const before = start.deliveries;
  const meter = platformMeter(ctx);
  const started = performance.now();
  await meter.start();
  const count = Math.round((s7.targetRate * s7.durationMs) / 1000);
  // Presses go round the SOS buttons: the first on a resident raises an alert, the rest update it.
  const presses = await rig.platformButtons.inject(s7.targetRate, count, ctx.nextTag(), () => undefined);
  // Done when every press is stored (PUBACK), every alert delivered, and the platform is idle again.
  const deadline = performance.now() + 90_000;
  while (rig.platformButtons.outstanding() > 0 && performance.now() < deadline) await sleep(100);
  await quiesce(consoles, 30_000);
  // Delivered (or stored, without consoles) by now; the CPU window runs on until the platform is idle.
  const elapsed = performance.now() - started;
  await settle(ctx, 30_000);
  const cpu = await meter.stop();
  const end = consoles ? await deliveries(consoles) : { deliveries: 0, disconnects: 0 };
  const delivered = consoles ? end.deliveries - before : 0;
  if (consoles) await consoles.ask({ type: 'close' }, 'closed');
  return {
    consoles: consoles ? n : 0,
    disconnects: end.disconnects - start.disconnects,
    presses: presses.length,
    deliveries: delivered,
    cpu,
    cpuPerDelivery: delivered > 0 ? cpu.total / delivered : NaN,
    alertsPerSecond: consoles && n > 0 ? (delivered / n / elapsed) * 1000 : (presses.length / elapsed) * 1000,
  };
}

async function peerRun(
  ctx: BenchContext,
  consoles: Peer,
  n: number,
  rate: number,
  alert: Record<string, unknown>,
): Promise<FanoutRun> {
  const { s7 } = ctx.cfg;
  const server = await startPeer('socketio-broadcast', [], ctx.cfg.serverCpus);
  try {
    await consoles.ask(
      { type: 'connect', url: `http://127.0.0.1:${server.port}`, token: 'peer', count: n },
      'connected',
      30_000,
    );
    await sleep(500);
    const before = (await deliveries(consoles)).deliveries;
    const meter = new CpuMeter({ socketio: () => [server.pid] });
    await meter.start();
    await server.ask(
      { type: 'broadcast', ratePerSecond: rate, durationMs: s7.durationMs, alert },
      'done',
      s7.durationMs + 30_000,
    );
    await quiesce(consoles, 10_000);
    const cpu = await meter.stop();
    const delivered = (await deliveries(consoles)).deliveries - before;
    await consoles.ask({ type: 'close' }, 'closed');
    return {
      consoles: n,
      disconnects: 0,
      presses: 0,
      deliveries: delivered,
      cpu,
      cpuPerDelivery: delivered > 0 ? cpu.total / delivered : NaN,
      alertsPerSecond: rate,
    };
  } finally {
    await server.stop();
  }
}

export async function runS7(ctx: BenchContext): Promise<ScenarioResult> {
  const result = newResult('S7', 'Console fan-out: CPU per delivery');
  const { s7 } = ctx.cfg;
  const consoles = await startPeer('consoles', [], ctx.cfg.generatorCpus);
  const runs: { platform: FanoutRun; peer: FanoutRun }[] = [];
  let bare: FanoutRun | null = null;
  const sample = {
    id: '00000000-0000-4000-8000-000000000000',
    residentId: '00000000-0000-4000-8000-000000000001',
    residentName: '住户1',
    orgUnitId: '00000000-0000-4000-8000-000000000002',
    deviceId: ctx.alarms[0]?.id ?? null,
    eventId: '1',
    kind: 'sos',
    severity: 'critical',
    status: 'open',
    openedAt: new Date().toISOString(),
    lastOccurredAt: new Date().toISOString(),
    occurrences: 1,
    escalationLevel: 0,
    acknowledgedAt: null,
    acknowledgedBy: null,
    resolvedAt: null,
    outcome: null,
    note: null,
    readings: { source: 'sos_button' },
  };
  try {
    for (let r = 0; r < s7.rounds; r++) {
      const platform = await platformRun(ctx, consoles, s7.consoles);
      ctx.log(
        `  platform, ${s7.consoles} consoles: ${platform.presses} presses → ${platform.deliveries} deliveries (${fmt(platform.alertsPerSecond, 0)} alerts/s), ${fmt(platform.cpuPerDelivery)} CPU-µs per delivery${platform.disconnects ? `, ${platform.disconnects} consoles dropped` : ''}`,
      );
      const peer = await peerRun(ctx, consoles, s7.consoles, Math.max(1, Math.round(platform.alertsPerSecond)), sample);
      ctx.log(
        `  bare socket.io at ${fmt(platform.alertsPerSecond, 0)} alerts/s: ${peer.deliveries} deliveries, ${fmt(peer.cpuPerDelivery)} CPU-µs per delivery`,
      );
      runs.push({ platform, peer });
      if (r === 0) {
        bare = await platformRun(ctx, null, 0);
        ctx.log(
          `  platform, no console: ${bare.presses} presses, ${fmt(bare.cpu.total / Math.max(1, bare.presses))} CPU-µs per press`,
        );
      }
    }
  } finally {
    await consoles.stop();
  }
  await resolveActiveAlerts(ctx.prov.api);
  const perPress = bare ? bare.cpu.total / Math.max(1, bare.presses) : NaN;
  const marginalOf = (r: FanoutRun) => (r.cpu.total - perPress * r.presses) / Math.max(1, r.deliveries);
  const total = spread(runs.map((r) => r.platform.cpuPerDelivery));
  const marginal = spread(runs.map((r) => marginalOf(r.platform)));
  const peer = spread(runs.map((r) => r.peer.cpuPerDelivery));
  const rate = spread(runs.map((r) => r.platform.alertsPerSecond));
  const expected = s7.consoles * Math.round((s7.targetRate * s7.durationMs) / 1000);
  const delivered = runs.reduce((n, r) => n + r.platform.deliveries, 0) / Math.max(1, runs.length);
  result.rows.push({
    scenario: 'S7',
    figure: `CPU-µs per console delivery, ${s7.consoles} consoles, ${s7.targetRate} SOS/s offered for ${fmt(s7.durationMs / 1000, 0)} s (whole path)`,
    anxin: `${fmtSpread(total)} µs`,
    peer: `${fmtSpread(peer)} µs`,
    peerName: 'bare socket.io broadcast',
    ratio: spread(runs.map((r) => r.platform.cpuPerDelivery / r.peer.cpuPerDelivery)),
    goal: `${s7.targetRate} alerts/s to all`,
    verdict:
      (rate?.median ?? 0) >= s7.targetRate * 0.95
        ? 'met'
        : `MISSED: ${fmt(rate?.median, 0)} alerts/s delivered (${fmt(((rate?.median ?? 0) / s7.targetRate) * 100, 0)} % of offered)${delivered < expected ? `, ${fmt((delivered / expected) * 100, 1)} % delivered` : ', all delivered late'}`,
  });
  result.rows.push({
    scenario: 'S7',
    figure: 'same, fan-out only (less the same presses with no console; a difference of two runs, noisy)',
    anxin: `${fmtSpread(marginal)} µs`,
    peer: `${fmtSpread(peer)} µs`,
    peerName: 'bare socket.io broadcast',
    ratio: spread(runs.map((r) => marginalOf(r.platform) / r.peer.cpuPerDelivery)),
    goal: '—',
    verdict: `reported (${fmt(perPress / 1000, 2)} CPU-ms per SOS press without consoles)`,
  });
  result.notes.push(
    `Presses go round ${ctx.alarms.length} SOS buttons: the first press on a resident raises an alert (alert:raised), later ones fold into it (alert:updated, occurrences + 1); both are deliveries. The peer broadcasts at the alert rate the platform actually delivered, so both serve the same events/s.`,
  );
  result.details = { runs, bare, cpuPerPressWithoutConsoles: perPress };
  return result;
}

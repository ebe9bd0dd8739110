// S6 dispatch: an operator dispatches open SOS alerts on a fixed schedule
// (POST /api/v1/alerts/{id}/dispatch); latency from the intended request time
// to the caregiver's socket.io `task:offered` (CONTRACT §4). Caregivers accept
// and complete each task so they stay free. Peer: bare BullMQ on Redis, job
// add → worker start, at the same rate.
import { io, type Socket } from 'socket.io-client';
import type { ServiceOrderView } from '@anxin/contract';
import { systemClock } from '../../../devices-sim/src/clock';
import { ApiError, SimApiClient } from '../../../devices-sim/src/provisioning/api-client';
import { AlertWatcher, type Injection } from '../load/alarms';
import { Latency, fmt, spread } from '../measure/stats';
import { resolveActiveAlerts } from '../platform/alert-cleanup';
import { startPeer } from '../services/peer';
import { alarmRig } from './alert-latency';
import { type BenchContext, newResult, type ScenarioResult, sleep } from './context';

interface Caregiver {
  socket: Socket;
}

async function connectCaregivers(
  ctx: BenchContext,
  offered: (order: ServiceOrderView, at: number, socket: Socket) => void,
): Promise<Caregiver[]> {
  return Promise.all(
    ctx.prov.caregivers.map(async (c) => {
      const api = new SimApiClient(ctx.platform.baseUrl);
      const login = await api.login(c.username, c.password);
      const socket = io(`${ctx.platform.baseUrl}/caregiver`, {
        auth: { token: login.accessToken },
        transports: ['websocket'],
        forceNew: true,
      });
      socket.on('task:offered', (order: ServiceOrderView) => offered(order, systemClock(), socket));
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', () => resolve());
        socket.once('connect_error', (e) => reject(e));
      });
      return { socket };
    }),
  );
}

export async function runS6(ctx: BenchContext): Promise<ScenarioResult> {
  const result = newResult('S6', 'Dispatch: alert → caregiver offer');
  const { s6 } = ctx.cfg;
  const total = Math.max(1, Math.round((s6.rate * s6.durationMs) / 1000));
  const rig = await alarmRig(ctx);
  await resolveActiveAlerts(ctx.prov.api);

  // Open alerts to dispatch: one SOS press per resident.
  const watcher = new AlertWatcher();
  await watcher.connect(ctx.platform.baseUrl, ctx.prov.admin.accessToken);
  const presses: Injection[] = await rig.platformButtons.inject(
    20,
    Math.min(total, ctx.alarms.length),
    ctx.nextTag(),
    (p) => watcher.expect(p),
  );
  await watcher.settle(10_000);
  watcher.close();
  const alertIds = [...watcher.arrivals.values()].map((a) => a.alertId).filter((id): id is string => id !== null);
  ctx.log(
    `  ${alertIds.length} open SOS alerts from ${presses.length} presses; ${ctx.prov.caregivers.length} caregivers on duty`,
  );

  const intended = new Map<string, number>();
  const latency = new Latency();
  let offers = 0;
  const caregivers = await connectCaregivers(ctx, (order, at, socket) => {
    offers += 1;
    const t0 = order.alertId ? intended.get(order.alertId) : undefined;
    if (t0 !== undefined && order.alertId) {
      latency.record(at - t0);
      intended.delete(order.alertId);
    }
    // Accept and complete, so the caregiver is free for the next offer (outside the measured hop).
    socket.emit('task:accept', { id: order.id }, () => {
      socket.emit('task:progress', { id: order.id, status: 'completed' }, () => undefined);
    });
  });

  const errors: string[] = [];
  let available = true;
  const started = systemClock();
  const requests: Promise<void>[] = [];
  for (let i = 0; i < alertIds.length && available; i++) {
    const due = started + (i * 1000) / s6.rate;
    const wait = due - systemClock();
    if (wait > 0) await sleep(wait);
    const alertId = alertIds[i]!;
    intended.set(alertId, due);
    requests.push(
      ctx.prov.api.post(`/api/v1/alerts/${alertId}/dispatch`, { kind: 'emergency' }).then(
        () => undefined,
        (error: unknown) => {
          intended.delete(alertId);
          if (
            error instanceof ApiError &&
            error.status === 404 &&
            /Cannot POST|not found/i.test(error.message) &&
            i === 0
          )
            available = false;
          if (errors.length < 3) errors.push((error as Error).message);
        },
      ),
    );
    if (i === 0) await requests[0]; // the first answer tells whether the endpoint exists
  }
  await Promise.all(requests);
  const deadline = systemClock() + 10_000;
  while (intended.size > 0 && systemClock() < deadline) await sleep(50);
  const missing = intended.size;
  for (const c of caregivers) c.socket.close();

  const p = latency.percentiles();
  ctx.log(
    available
      ? `  platform: ${p.count}/${alertIds.length} dispatches offered, p50 ${fmt(p.p50)} / p99 ${fmt(p.p99)} ms${errors.length ? `; errors: ${errors.join(' | ')}` : ''}`
      : `  dispatch endpoint not available: ${errors[0] ?? ''}`,
  );
  const peer = await startPeer(
    'bullmq-pickup',
    ['redis://127.0.0.1:6379', String(s6.rate), String(s6.durationMs)],
    ctx.cfg.serverCpus,
    60_000,
  );
  const bull = await peer.next<{ type: string; picked: number; total: number; latency: string }>(
    'result',
    s6.durationMs + 30_000,
  );
  await peer.stop();
  const bullLatency = new Latency();
  bullLatency.addEncoded(bull.latency);
  const b = bullLatency.percentiles();
  ctx.log(`  bare BullMQ: ${bull.picked}/${bull.total} jobs, pickup p50 ${fmt(b.p50)} / p99 ${fmt(b.p99)} ms`);
  await resolveActiveAlerts(ctx.prov.api);

  if (!available) {
    result.status = 'not available';
    result.notes.push(
      `POST /api/v1/alerts/{id}/dispatch is not available on this build (${errors[0] ?? '404'}); re-run S6 (BENCH_ONLY=S6) once dispatch lands.`,
    );
  }
  result.rows.push({
    scenario: 'S6',
    figure: `dispatch request → caregiver task:offered p50 / p99 (${s6.rate}/s, idle background)`,
    anxin: available ? `${fmt(p.p50)} / ${fmt(p.p99)} ms (${p.count} offers)` : 'not available',
    peer: `${fmt(b.p50)} / ${fmt(b.p99)} ms (${bull.picked}/${bull.total} jobs)`,
    peerName: 'bare BullMQ on Redis (add → worker start)',
    ratio: available && p.p99 !== null && b.p99 !== null ? spread([p.p99 / b.p99]) : null,
    goal: 'every dispatch offered',
    verdict: !available
      ? 'not available'
      : missing === 0 && errors.length === 0
        ? 'met'
        : `MISSED: ${missing} dispatches without an offer in 10 s${errors.length ? `; errors: ${errors.join(' | ')}` : ''}`,
  });
  result.notes.push(
    `Platform jobs run on its default queue backend (BullMQ on PostgreSQL; REDIS_URL is not set because the machine's Redis is shared); the peer runs BullMQ on Redis. ${s6.rate} dispatches/s for ${fmt(s6.durationMs / 1000, 0)} s; p99 of ${p.count} samples is close to the max.`,
  );
  result.details = { platform: p, bullmq: b, offers, missing, errors };
  return result;
}

// A load-generator process: thousands of raw-socket devices driven on one
// open-loop schedule (devices-sim/src/transport), told what to do over IPC.
// Several run side by side to stay under the 20,000 open files of a process.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { mapWithConcurrency } from '../../../devices-sim/src/concurrency';
import { systemClock } from '../../../devices-sim/src/clock';
import { ConnectRefusedError } from '../../../devices-sim/src/transport/raw-client';
import { PeriodicScheduler } from '../../../devices-sim/src/transport/scheduler';
import { TransportStats } from '../../../devices-sim/src/transport/transport-stats';
import { BenchDevice } from './bench-device';
import type {
  CloseRequest,
  DrainRequest,
  OpenReply,
  OpenRequest,
  RunReply,
  RunRequest,
  WorkerReply,
  WorkerRequest,
} from './protocol';

interface Fleet {
  devices: BenchDevice[];
  stats: TransportStats;
  keepalive: NodeJS.Timeout;
}

const fleets = new Map<string, Fleet>();
const clock = systemClock;

/** Opens a fleet, or adds devices to an open one (a staged ramp); connects only the new devices. */
async function open(req: OpenRequest): Promise<OpenReply> {
  let fleet = fleets.get(req.fleet);
  if (!fleet) {
    const created: Fleet = {
      devices: [],
      stats: new TransportStats(),
      keepalive: setInterval(() => {
        const now = clock();
        for (const d of created.devices) d.client.maintain(now);
      }, 1_000),
    };
    fleet = created;
    fleets.set(req.fleet, fleet);
  }
  const stats = fleet.stats;
  const devices = req.devices.map(
    (spec) =>
      new BenchDevice(
        spec,
        {
          broker: req.broker,
          keepaliveSeconds: req.keepaliveSeconds,
          statusAndWill: req.statusAndWill,
          subscribe: req.subscribe,
        },
        stats,
        clock,
      ),
  );
  fleet.devices.push(...devices);
  const reply: OpenReply = { connected: 0, refused: 0, failed: 0, ms: 0, problems: [] };
  const problem = (line: string) => {
    if (reply.problems.length < 3 && !reply.problems.includes(line)) reply.problems.push(line);
  };
  const started = performance.now();
  const failed = new Set<BenchDevice>();
  await mapWithConcurrency(devices, req.concurrency, async (device) => {
    for (let attempt = 1; ; attempt++) {
      try {
        await device.client.connect();
        reply.connected += 1;
        return;
      } catch (error) {
        if (error instanceof ConnectRefusedError || attempt >= 3) {
          if (error instanceof ConnectRefusedError) reply.refused += 1;
          else reply.failed += 1;
          problem(`${device.spec.id}: ${(error as Error).message}`);
          failed.add(device);
          return;
        }
        // A transient failure leaves the client idle again: the next attempt dials afresh.
        await new Promise((r) => setTimeout(r, 200 * attempt));
      }
    }
  });
  reply.ms = performance.now() - started;
  // A device that never connected takes no part in runs (its messages would only pile up unsent).
  if (failed.size > 0) fleet.devices = fleet.devices.filter((d) => !failed.has(d));
  return reply;
}

/** Waits for the fleet's outstanding QoS 1 messages (left from an overloaded run) to be acknowledged. */
async function drain(req: DrainRequest): Promise<{ outstanding: number }> {
  const fleet = fleets.get(req.fleet);
  if (!fleet) return { outstanding: 0 };
  const outstanding = () => fleet.devices.reduce((n, d) => n + d.client.inflightCount, 0);
  const deadline = clock() + req.timeoutMs;
  while (outstanding() > 0 && clock() < deadline) await new Promise((r) => setTimeout(r, 100));
  return { outstanding: outstanding() };
}

function counters(stats: TransportStats) {
  return { ...stats.counters, refused: { ...stats.counters.refused } };
}

/** Drops a device's TCP connection abruptly, as a network blip would; the client redials with backoff. */
function dropConnection(device: BenchDevice): boolean {
  const socket = (device.client as unknown as { socket: { destroy(): void; destroyed: boolean } | null }).socket;
  if (!socket || socket.destroyed) return false;
  socket.destroy();
  return true;
}

async function run(req: RunRequest): Promise<RunReply> {
  const fleet = fleets.get(req.fleet);
  if (!fleet) throw new Error(`no fleet ${req.fleet}`);
  const active = fleet.devices.slice(0, Math.min(req.active, fleet.devices.length));
  for (const d of active) d.setTag(req.tag);
  fleet.stats.takePubackLatency();
  const before = counters(fleet.stats);
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  let telemetrySent = 0;
  let eventsSent = 0;
  let payloadBytes = 0;
  let stormDropped = 0;
  const scheduler = new PeriodicScheduler<BenchDevice>(1000 / req.ratePerDevice, clock);
  for (const d of active) scheduler.add(d);
  scheduler.start((device, intendedAt) => {
    const sent = device.tick(intendedAt, req.eventEvery);
    if (sent === 'telemetry') telemetrySent += 1;
    else if (sent === 'event') eventsSent += 1;
    payloadBytes += device.lastPayloadBytes;
  });
  let stormTimer: NodeJS.Timeout | null = null;
  if (req.storm) {
    const { count, atMs } = req.storm;
    stormTimer = setTimeout(() => {
      for (const d of active.slice(0, count)) if (dropConnection(d)) stormDropped += 1;
    }, atMs);
  }
  await new Promise((r) => setTimeout(r, req.durationMs));
  scheduler.stop();
  if (stormTimer) clearTimeout(stormTimer);
  const drainUntil = clock() + req.drainMs;
  const outstanding = () => active.reduce((n, d) => n + d.client.inflightCount, 0);
  while (outstanding() > 0 && clock() < drainUntil) await new Promise((r) => setTimeout(r, 50));
  const after = counters(fleet.stats);
  const cpu = process.cpuUsage(cpuBefore);
  loopDelay.disable();
  const sentCount = telemetrySent + eventsSent;
  return {
    telemetrySent,
    eventsSent,
    qos1Sent: after.qos1Sent - before.qos1Sent,
    pubacks: after.pubacks - before.pubacks,
    notSent: after.notSent - before.notSent,
    outstanding: outstanding(),
    dropped: after.dropped - before.dropped,
    reconnects: after.reconnects - before.reconnects,
    retransmits: after.retransmits - before.retransmits,
    lateSlots: scheduler.lateSlots,
    loopDelayMaxMs: loopDelay.max / 1e6,
    latency: fleet.stats.pubackLatency.encode(),
    generatorCpuMicros: cpu.user + cpu.system,
    payloadBytes: sentCount > 0 ? payloadBytes / sentCount : 0,
    stormDropped,
    wallMs: performance.now() - started,
  };
}

async function close(req: CloseRequest): Promise<Record<string, never>> {
  const fleet = fleets.get(req.fleet);
  if (!fleet) return {};
  fleets.delete(req.fleet);
  clearInterval(fleet.keepalive);
  // DISCONNECT then close: the broker publishes no will, as for a clean shutdown.
  await mapWithConcurrency(fleet.devices, 500, (d) => d.client.close());
  return {};
}

async function handle(req: WorkerRequest): Promise<unknown> {
  switch (req.type) {
    case 'open':
      return open(req);
    case 'run':
      return run(req);
    case 'close':
      return close(req);
    case 'drain':
      return drain(req);
  }
}

process.on('message', (msg: WorkerRequest) => {
  handle(msg).then(
    (result) => process.send?.({ id: msg.id, ok: true, result } satisfies WorkerReply),
    (error: unknown) =>
      process.send?.({ id: msg.id, ok: false, error: (error as Error).stack ?? String(error) } satisfies WorkerReply),
  );
});
process.on('disconnect', () => process.exit(0));

// The bench's side of the load generator: W worker processes on the
// generator core, devices split between them home by home, results merged.
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { BrokerAddress } from '../../../devices-sim/src/transport/raw-client';
import { Latency } from '../measure/stats';
import { startNode, stopProcess } from '../services/children';
import type { DeviceSpec } from './bench-device';
import type { OpenReply, RunReply, RunRequest, WorkerCommand, WorkerReply } from './protocol';

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void };

class WorkerHandle {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  constructor(readonly proc: ChildProcess) {
    proc.on('message', (msg: WorkerReply) => {
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      if (msg.ok) p.resolve(msg.result);
      else p.reject(new Error(msg.error));
    });
    proc.once('exit', (code) => {
      for (const p of this.pending.values()) p.reject(new Error(`load generator exited (${code})`));
      this.pending.clear();
    });
  }

  get pid(): number {
    return this.proc.pid ?? 0;
  }

  request<T>(req: WorkerCommand): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.proc.send({ ...req, id });
    });
  }
}

export interface RunResult {
  telemetrySent: number;
  eventsSent: number;
  pubacks: number;
  qos1Sent: number;
  notSent: number;
  outstanding: number;
  dropped: number;
  reconnects: number;
  retransmits: number;
  lateSlots: number;
  /** The longest event-loop delay of any generator process over the run (ms). */
  generatorLoopDelayMaxMs: number;
  latency: Latency;
  generatorCpuMicros: number;
  payloadBytes: number;
  stormDropped: number;
}

export class LoadGenerator {
  private readonly workers: WorkerHandle[];
  /** Devices per fleet per worker, so a run can give each worker its share of the active devices. */
  private readonly fleetSizes = new Map<string, number[]>();
  private readonly homesOpened = new Map<string, number>();

  constructor(count: number, cpus: string | null) {
    const script = path.join(__dirname, 'loadgen-worker.js');
    this.workers = Array.from(
      { length: count },
      () => new WorkerHandle(startNode(script, [], { cpus, silent: false })),
    );
  }

  get pids(): number[] {
    return this.workers.map((w) => w.pid);
  }

  get workerCount(): number {
    return this.workers.length;
  }

  /**
   * Connects a fleet, or more devices of an open one. `homes` keeps each home's devices together in one worker,
   * so the first k active devices of every worker have the same type mix.
   */
  async open(
    fleet: string,
    broker: BrokerAddress,
    homes: DeviceSpec[][],
    opts: { keepaliveSeconds: number; statusAndWill: boolean; subscribe: boolean; concurrency: number },
  ): Promise<OpenReply & { perSecond: number }> {
    // Homes go round the workers, continuing where an earlier stage of the same fleet stopped.
    const shares: DeviceSpec[][] = this.workers.map(() => []);
    const firstHome = this.homesOpened.get(fleet) ?? 0;
    homes.forEach((home, i) => shares[(firstHome + i) % this.workers.length]?.push(...home));
    this.homesOpened.set(fleet, firstHome + homes.length);
    const sizes = this.fleetSizes.get(fleet) ?? this.workers.map(() => 0);
    this.fleetSizes.set(
      fleet,
      sizes.map((n, i) => n + (shares[i]?.length ?? 0)),
    );
    const replies = await Promise.all(
      this.workers.map((w, i) =>
        w.request<OpenReply>({
          type: 'open',
          fleet,
          broker,
          devices: shares[i] ?? [],
          ...opts,
          concurrency: Math.max(1, Math.round(opts.concurrency / this.workers.length)),
        }),
      ),
    );
    const merged: OpenReply = { connected: 0, refused: 0, failed: 0, ms: 0, problems: [] };
    for (const r of replies) {
      merged.connected += r.connected;
      merged.refused += r.refused;
      merged.failed += r.failed;
      merged.ms = Math.max(merged.ms, r.ms);
      merged.problems.push(...r.problems);
    }
    return { ...merged, perSecond: merged.ms > 0 ? (merged.connected * 1000) / merged.ms : 0 };
  }

  size(fleet: string): number {
    return (this.fleetSizes.get(fleet) ?? []).reduce((a, b) => a + b, 0);
  }

  /** One open-loop run of `active` devices in total (split in proportion to each worker's share). */
  async run(
    fleet: string,
    req: Omit<RunRequest, 'type' | 'fleet' | 'active' | 'storm'> & {
      active: number;
      storm?: { count: number; atMs: number };
    },
  ): Promise<RunResult> {
    const sizes = this.fleetSizes.get(fleet);
    if (!sizes) throw new Error(`fleet ${fleet} is not open`);
    const total = sizes.reduce((a, b) => a + b, 0);
    const active = Math.min(req.active, total);
    const shares = sizes.map((s) => Math.floor((s * active) / total));
    let rest = active - shares.reduce((a, b) => a + b, 0);
    for (let i = 0; rest > 0; i = (i + 1) % shares.length, rest--) shares[i] = (shares[i] ?? 0) + 1;
    const replies = await Promise.all(
      this.workers.map((w, i) => {
        const share = shares[i] ?? 0;
        const storm = req.storm
          ? { count: Math.round((req.storm.count * share) / Math.max(1, active)), atMs: req.storm.atMs }
          : undefined;
        return w.request<RunReply>({ type: 'run', fleet, ...req, active: share, ...(storm ? { storm } : {}) });
      }),
    );
    const latency = new Latency();
    const sum = (k: keyof RunReply) => replies.reduce((n, r) => n + (r[k] as number), 0);
    for (const r of replies) latency.addEncoded(r.latency);
    const sent = sum('telemetrySent') + sum('eventsSent');
    return {
      telemetrySent: sum('telemetrySent'),
      eventsSent: sum('eventsSent'),
      pubacks: sum('pubacks'),
      qos1Sent: sum('qos1Sent'),
      notSent: sum('notSent'),
      outstanding: sum('outstanding'),
      dropped: sum('dropped'),
      reconnects: sum('reconnects'),
      retransmits: sum('retransmits'),
      lateSlots: sum('lateSlots'),
      generatorLoopDelayMaxMs: Math.max(...replies.map((r) => r.loopDelayMaxMs)),
      latency,
      generatorCpuMicros: sum('generatorCpuMicros'),
      payloadBytes:
        sent > 0 ? replies.reduce((n, r) => n + r.payloadBytes * (r.telemetrySent + r.eventsSent), 0) / sent : 0,
      stormDropped: sum('stormDropped'),
    };
  }

  /** Waits for acknowledgements still owed to the fleet; returns how many are still missing. */
  async drain(fleet: string, timeoutMs: number): Promise<number> {
    const replies = await Promise.all(
      this.workers.map((w) => w.request<{ outstanding: number }>({ type: 'drain', fleet, timeoutMs })),
    );
    return replies.reduce((n, r) => n + r.outstanding, 0);
  }

  async close(fleet: string): Promise<void> {
    await Promise.all(this.workers.map((w) => w.request({ type: 'close', fleet })));
    this.fleetSizes.delete(fleet);
    this.homesOpened.delete(fleet);
  }

  async stop(): Promise<void> {
    await Promise.all(this.workers.map((w) => stopProcess(w.proc, 3_000)));
  }
}

// Messages between the bench and its load-generator processes (IPC).
import type { BrokerAddress } from '../../../devices-sim/src/transport/raw-client';
import type { DeviceSpec } from './bench-device';

export interface OpenRequest {
  type: 'open';
  fleet: string;
  broker: BrokerAddress;
  devices: DeviceSpec[];
  keepaliveSeconds: number;
  statusAndWill: boolean;
  subscribe: boolean;
  /** Connects in flight at once in this process. */
  concurrency: number;
}

export interface OpenReply {
  connected: number;
  refused: number;
  failed: number;
  ms: number;
  problems: string[];
}

export interface RunRequest {
  type: 'run';
  fleet: string;
  /** The first `active` devices of this process publish; the others stay connected and idle. */
  active: number;
  ratePerDevice: number;
  durationMs: number;
  /** Every n-th message of a motion sensor is an event (0: none). */
  eventEvery: number;
  tag: number;
  drainMs: number;
  /** Drop this many of the active devices' connections at this point of the run (a reconnect storm). */
  storm?: { count: number; atMs: number };
}

export interface RunReply {
  telemetrySent: number;
  eventsSent: number;
  qos1Sent: number;
  pubacks: number;
  notSent: number;
  outstanding: number;
  dropped: number;
  reconnects: number;
  retransmits: number;
  lateSlots: number;
  /** The longest this generator's event loop was held up during the run (ms): a PUBACK it read late counts against the server. */
  loopDelayMaxMs: number;
  latency: string;
  /** This generator process's own CPU over the run (µs). */
  generatorCpuMicros: number;
  payloadBytes: number;
  stormDropped: number;
  wallMs: number;
}

export interface CloseRequest {
  type: 'close';
  fleet: string;
}

export interface DrainRequest {
  type: 'drain';
  fleet: string;
  timeoutMs: number;
}

export type WorkerCommand = OpenRequest | RunRequest | CloseRequest | DrainRequest;
export type WorkerRequest = WorkerCommand & { id: number };
export type WorkerReply = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: string };

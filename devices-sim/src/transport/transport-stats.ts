// Counters shared by every raw client of one process, so loss and throughput
// come from one place (and can be summed across worker processes).
import { LatencyHistogram } from '../stats/latency-histogram';

export interface TransportCounters {
  connected: number;
  connectFailures: number;
  /** CONNACK refusals by return code (5 = bad credentials or disabled device). */
  refused: Record<string, number>;
  /** Connections that dropped without the device asking (then reconnected with backoff). */
  dropped: number;
  reconnects: number;
  qos0Sent: number;
  qos1Sent: number;
  pubacks: number;
  /** QoS 1 frames sent again (DUP) after a reconnect. */
  retransmits: number;
  /** Messages the device could not even send: offline at QoS 0, or out of packet ids. */
  notSent: number;
  commandsReceived: number;
  bytesOut: number;
}

export function emptyCounters(): TransportCounters {
  return {
    connected: 0,
    connectFailures: 0,
    refused: {},
    dropped: 0,
    reconnects: 0,
    qos0Sent: 0,
    qos1Sent: 0,
    pubacks: 0,
    retransmits: 0,
    notSent: 0,
    commandsReceived: 0,
    bytesOut: 0,
  };
}

export class TransportStats {
  readonly counters = emptyCounters();
  /** Intended send time (open-loop schedule) to PUBACK: includes any delay in the generator itself. */
  private latency = new LatencyHistogram();

  get pubackLatency(): LatencyHistogram {
    return this.latency;
  }

  /** Starts a fresh PUBACK histogram (a new measured window) and returns the one recorded so far. */
  takePubackLatency(): LatencyHistogram {
    const taken = this.latency;
    this.latency = new LatencyHistogram();
    return taken;
  }

  get messagesSent(): number {
    return this.counters.qos0Sent + this.counters.qos1Sent;
  }

  /** Adds another process's counters (worker shards). */
  merge(other: TransportCounters, encodedLatency?: string): void {
    for (const key of Object.keys(other) as (keyof TransportCounters)[]) {
      if (key === 'refused') {
        for (const [code, n] of Object.entries(other.refused)) {
          this.counters.refused[code] = (this.counters.refused[code] ?? 0) + n;
        }
      } else {
        this.counters[key] += other[key];
      }
    }
    if (encodedLatency) this.pubackLatency.addEncoded(encodedLatency);
  }
}

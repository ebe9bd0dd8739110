import type { Client } from 'aedes';
import type { Duplex } from 'node:stream';
import { startSocketReads, stopSocketReads } from './socket-reads';

/** What the platform does about a device's PUBLISH once ingest has handled it. */
export type PublishAnswer = 'puback' | 'none' | 'disconnect';

/** The admission line device readings wait in (IngestService). */
export interface IngestLine {
  readonly telemetrySaturated: boolean;
  onTelemetryRoom(callback: () => void): void;
}

interface ConnectionFlow {
  /** Publishes handed to ingest and not yet answered. */
  unanswered: number;
  /** While set, the connection's socket reads nothing: the device waits in TCP. */
  paused: boolean;
  waitingForRoom: boolean;
}

type PublishPacket = { qos: 0 | 1 | 2; messageId?: number };

/** The parts of aedes 1.x's Client this relies on. */
interface AedesClientInternals {
  conn: Duplex;
  /** aedes' reader: parses what the socket has (it also runs on every 'readable'). */
  _nextBatch(): void;
  _keepaliveTimer: NodeJS.Timeout | null;
  /** aedes' own slow-reader guard: the client is dropped unless the socket drains within `drainTimeout`. */
  waitForDrain(callback: () => void): void;
}

/** PUBACK is 4 bytes (MQTT 3.1.1 §3.4): built here rather than through a generator per reading. */
function puback(messageId: number): Buffer {
  return Buffer.from([0x40, 0x02, messageId >> 8, messageId & 0xff]);
}

/**
 * aedes answers a QoS 1 PUBLISH when authorizePublish calls back; calling back
 * after the commit, as "PUBACK after storage" asks, kept every packet behind
 * the ones before it, and aedes still read on at each new TCP segment, so
 * under overload its waiting readings grew without bound (3.1 GB, issue 13).
 * So a device's PUBLISH is taken over: aedes is told it was QoS 0 (no PUBACK
 * of its own, nothing to wait for) and we send the PUBACK once ingest has
 * stored it — an SOS ahead of readings still in line if need be (MQTT §4.6
 * binds the order of the client's acks; clients match PUBACKs by packet id).
 * The socket itself stops being read while the connection has
 * `perConnection` publishes unanswered or ingest's line is saturated: that
 * bounds memory, and one flooding device cannot fill the line alone.
 */
export class AedesPublishFlow {
  private readonly flows = new WeakMap<Client, ConnectionFlow>();

  constructor(
    private readonly line: IngestLine,
    private readonly perConnection: number,
    private readonly onPause: (reason: 'connection' | 'hold_full') => void,
  ) {}

  /** `mustWait`: the gateway's `readingMustWait` for this publish (a reading while the line is full). */
  take(
    client: Client,
    packet: PublishPacket,
    mustWait: boolean,
    done: () => void,
    accept: () => Promise<PublishAnswer>,
  ): void {
    const flow = this.flowOf(client);
    const messageId = packet.qos === 1 ? (packet.messageId ?? 0) : null;
    packet.qos = 0; // aedes then sends no PUBACK of its own; ours follows the commit
    flow.unanswered += 1;
    void accept()
      .catch((): PublishAnswer => 'disconnect')
      .then((answer) => {
        flow.unanswered -= 1;
        this.answer(client, messageId, answer);
        this.resume(client, flow);
      });
    done();
    if (flow.paused) return;
    const overConnection = flow.unanswered >= this.perConnection;
    if (!overConnection && !mustWait) return;
    flow.paused = true;
    stopSocketReads((client as unknown as AedesClientInternals).conn);
    this.onPause(overConnection ? 'connection' : 'hold_full');
    this.resume(client, flow);
  }

  private answer(client: Client, messageId: number | null, answer: PublishAnswer): void {
    if (answer === 'disconnect') {
      // 3.1.1 has no negative PUBACK: dropping the connection is how a device learns to send again (CONTRACT §2).
      client.close();
      return;
    }
    const internals = client as unknown as AedesClientInternals;
    // Its packets wait for us, not the other way round: not the device's silence (aedes' keep-alive).
    internals._keepaliveTimer?.refresh();
    if (answer !== 'puback' || messageId === null || !internals.conn.writable) return;
    // A device that never reads its PUBACKs is dropped after aedes' drain time-out, as for aedes' own writes.
    if (!internals.conn.write(puback(messageId))) internals.waitForDrain(() => undefined);
  }

  /** Reads on once the connection is under its share and the line has room. */
  private resume(client: Client, flow: ConnectionFlow): void {
    if (!flow.paused || flow.unanswered >= this.perConnection) return;
    if (this.line.telemetrySaturated) {
      if (!flow.waitingForRoom) {
        flow.waitingForRoom = true;
        this.line.onTelemetryRoom(() => {
          flow.waitingForRoom = false;
          if ((client as unknown as AedesClientInternals).conn.destroyed) return; // gone meanwhile
          this.resume(client, flow);
        });
      }
      return;
    }
    flow.paused = false;
    const internals = client as unknown as AedesClientInternals;
    internals._keepaliveTimer?.refresh();
    startSocketReads(internals.conn);
    // What arrived before the pause sits in the socket's buffer, and no 'readable' will come for it: read it now.
    internals._nextBatch();
  }

  private flowOf(client: Client): ConnectionFlow {
    let flow = this.flows.get(client);
    if (!flow) {
      const state: ConnectionFlow = { unanswered: 0, paused: false, waitingForRoom: false };
      // aedes reads at every 'readable' whatever its callbacks say; a paused socket answers "nothing yet"
      // (for what was read before the pause stopped the socket's reads).
      const conn = (client as unknown as AedesClientInternals).conn;
      const read = conn.read.bind(conn) as (size?: number) => unknown;
      conn.read = (size?: number): unknown => (state.paused ? null : read(size));
      flow = state;
      this.flows.set(client, flow);
    }
    return flow;
  }
}

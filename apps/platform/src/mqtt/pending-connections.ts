import type { Duplex } from 'node:stream';

/**
 * Connections whose CONNECT has not been answered yet: they cost memory and
 * a credential lookup but prove nothing, so they get a deadline and a cap.
 * Over the cap a new connection is closed at once (a device retries; the
 * devices already connected keep their service).
 *
 * An answered connection keeps nothing of this (no timer, no listener of its
 * own): every stream shares one 'close' handler, and the deadlines live here.
 */
export class PendingConnections {
  private readonly deadlines = new Map<Duplex, NodeJS.Timeout>();
  /** A plain function: 'close' listeners are called with the stream as `this`. */
  private readonly onClose: (this: Duplex) => void;

  constructor(
    private readonly max: number,
    private readonly onTimeout: () => void,
    /** The same for every front-end (3.1.1, 5, TCP, TLS, WebSocket). */
    private readonly timeoutMs: number,
  ) {
    const release = (stream: Duplex) => this.release(stream);
    this.onClose = function (this: Duplex) {
      release(this);
    };
  }

  get size(): number {
    return this.deadlines.size;
  }

  /** False when the cap is reached: the caller closes the connection. */
  admit(stream: Duplex): boolean {
    if (this.deadlines.size >= this.max) return false;
    const timer = setTimeout(this.expire, this.timeoutMs, stream);
    timer.unref();
    this.deadlines.set(stream, timer);
    stream.on('close', this.onClose);
    return true;
  }

  /** Its CONNECT was accepted: it no longer counts against the cap or the deadline. */
  answered(stream: Duplex): void {
    this.release(stream);
  }

  /** Shutdown: a listener's close() waits for its connections, and these may never finish their CONNECT. */
  destroyAll(): void {
    for (const stream of [...this.deadlines.keys()]) stream.destroy();
  }

  private readonly expire = (stream: Duplex): void => {
    this.onTimeout();
    stream.destroy();
  };

  private release(stream: Duplex): void {
    const timer = this.deadlines.get(stream);
    if (timer === undefined) return;
    clearTimeout(timer);
    this.deadlines.delete(stream);
    stream.off('close', this.onClose);
  }
}

import type { Duplex } from 'node:stream';

/**
 * Connections whose CONNECT has not been answered yet: they cost memory and
 * a credential lookup but prove nothing, so they get a deadline and a cap.
 * Over the cap a new connection is closed at once (a device retries; the
 * devices already connected keep their service).
 */
export class PendingConnections {
  private readonly releases = new WeakMap<Duplex, () => void>();
  private count = 0;

  constructor(
    private readonly max: number,
    private readonly onTimeout: () => void,
    /** The same for every front-end (3.1.1, 5, TCP, TLS, WebSocket). */
    private readonly timeoutMs: number,
  ) {}

  get size(): number {
    return this.count;
  }

  /** False when the cap is reached: the caller closes the connection. */
  admit(stream: Duplex): boolean {
    if (this.count >= this.max) return false;
    this.count += 1;
    const timer = setTimeout(() => {
      this.onTimeout();
      stream.destroy();
    }, this.timeoutMs);
    timer.unref();
    const release = () => {
      if (!this.releases.has(stream)) return;
      this.releases.delete(stream);
      clearTimeout(timer);
      this.count -= 1;
    };
    this.releases.set(stream, release);
    stream.once('close', release);
    return true;
  }

  /** Its CONNECT was accepted: it no longer counts against the cap or the deadline. */
  answered(stream: Duplex): void {
    this.releases.get(stream)?.();
  }
}

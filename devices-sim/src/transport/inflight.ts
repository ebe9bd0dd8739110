// QoS 1 messages awaiting PUBACK, keyed by packet id (MQTT 3.1.1 §2.3.1).

export interface InflightEntry {
  frame: Buffer;
  /** When the message was due on the open-loop schedule; PUBACK latency is measured from here. */
  intendedAt: number;
  /** Written to a socket at least once (a redelivery then carries DUP). */
  sent: boolean;
}

/** 65535 is kept for SUBSCRIBE, so a PUBLISH id never collides with it. */
export const SUBSCRIBE_PACKET_ID = 65535;

export class InflightWindow {
  private readonly entries = new Map<number, InflightEntry>();
  private nextId = 1;

  constructor(private readonly capacity: number) {}

  get size(): number {
    return this.entries.size;
  }

  /** A free packet id, or null when the window is full. */
  allocate(): number | null {
    if (this.entries.size >= this.capacity) return null;
    for (let i = 0; i < SUBSCRIBE_PACKET_ID - 1; i++) {
      const id = this.nextId;
      this.nextId = id >= SUBSCRIBE_PACKET_ID - 1 ? 1 : id + 1;
      if (!this.entries.has(id)) return id;
    }
    return null;
  }

  add(id: number, entry: InflightEntry): void {
    this.entries.set(id, entry);
  }

  /** Removes and returns the entry a PUBACK acknowledges (undefined for an unknown id). */
  acknowledge(id: number): InflightEntry | undefined {
    const entry = this.entries.get(id);
    this.entries.delete(id);
    return entry;
  }

  values(): IterableIterator<InflightEntry> {
    return this.entries.values();
  }
}

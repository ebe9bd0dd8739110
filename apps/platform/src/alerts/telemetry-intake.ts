/** One device's readings waiting for the telemetry rules, oldest first. */
export interface DeviceReadings<D, R> {
  /** The device as last reported by ingest. */
  device: D;
  readings: R[];
}

/**
 * Readings waiting for the telemetry rules, grouped per device so a batch
 * looks up each device's state and settings once and sees its readings in
 * order (issue 13: coalesced per device per batch). Bounded: with `cap`
 * readings waiting, a new reading displaces its device's oldest waiting one
 * (the rules care most for a device's latest state), or is shed if its device
 * has none waiting, so memory never grows with the backlog.
 */
export class TelemetryIntake<D extends { id: string }, R> {
  private waiting = new Map<string, DeviceReadings<D, R>>();
  private count = 0;

  constructor(readonly cap: number) {}

  get depth(): number {
    return this.count;
  }

  /** Queues `reading`; answers false when a reading was shed to stay within the cap. */
  offer(device: D, reading: R): boolean {
    const queued = this.waiting.get(device.id);
    if (queued) queued.device = device;
    if (this.count >= this.cap) {
      if (!queued) return false;
      queued.readings.shift();
      queued.readings.push(reading);
      return false;
    }
    if (queued) queued.readings.push(reading);
    else this.waiting.set(device.id, { device, readings: [reading] });
    this.count += 1;
    return true;
  }

  /** Everything waiting; the intake is empty after. */
  takeAll(): DeviceReadings<D, R>[] {
    const batch = [...this.waiting.values()];
    this.waiting = new Map();
    this.count = 0;
    return batch;
  }

  /**
   * Puts back a batch that could not run, ahead of what arrived since (its
   * readings are older); what no longer fits is shed, oldest first. Answers how
   * many readings were shed.
   */
  putBack(batch: DeviceReadings<D, R>[]): number {
    let shed = 0;
    for (const older of batch) {
      const keep = Math.min(this.cap - this.count, older.readings.length);
      shed += older.readings.length - keep;
      if (keep === 0) continue;
      const newer = this.waiting.get(older.device.id);
      this.waiting.set(older.device.id, {
        device: newer?.device ?? older.device,
        readings: [...older.readings.slice(older.readings.length - keep), ...(newer?.readings ?? [])],
      });
      this.count += keep;
    }
    return shed;
  }
}

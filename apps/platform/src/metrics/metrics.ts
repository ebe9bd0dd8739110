import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** One registry per platform instance (tests run several in one process). */
export class PlatformMetrics {
  readonly registry = new Registry();
  readonly connectedDevices = new Gauge({
    name: 'anxin_connected_devices',
    help: 'Devices connected to this process',
    registers: [this.registry],
  });
  readonly messagesIn = new Counter({
    name: 'anxin_messages_in_total',
    help: 'Device messages accepted, by channel and device type',
    labelNames: ['channel', 'device_type'] as const,
    registers: [this.registry],
  });
  readonly rejected = new Counter({
    name: 'anxin_messages_rejected_total',
    help: 'Device messages rejected, by reason',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  readonly connectRefused = new Counter({
    name: 'anxin_connect_refused_total',
    help: 'MQTT connections refused, by reason',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  readonly eventCommitSeconds = new Histogram({
    name: 'anxin_event_commit_seconds',
    help: 'From receipt of a device event to its commit',
    buckets: [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1],
    registers: [this.registry],
  });
  /** Issue 13: readings wait behind the serial telemetry writer, so a slow commit is a PUBACK stall for all of them. */
  readonly telemetryCommitSeconds = new Histogram({
    name: 'anxin_telemetry_commit_seconds',
    help: 'How long one telemetry batch took to write and commit (every reading queued behind it waits as long)',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  /**
   * Issue 13: a reading's wait in line plus its batch's commit, the platform's share of its PUBACK time
   * (observed once per batch, for the batch's oldest reading): beside the commit time above it tells a
   * stall of the writer's queue from one of the commit, and both from delays outside the platform.
   */
  readonly telemetryStoredSeconds = new Histogram({
    name: 'anxin_telemetry_stored_seconds',
    help: "From receipt of a telemetry batch's oldest reading to the batch's commit",
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  /** Read at each scrape from what `measureTelemetryBuffer` was given: a stalled writer shows its real depth. */
  private telemetryBufferDepthNow: () => number = () => 0;
  readonly telemetryBufferDepth: Gauge = new Gauge({
    name: 'anxin_telemetry_buffer_depth',
    help: 'Telemetry rows waiting to be written (queued or being written)',
    registers: [this.registry],
    collect: (): void => this.telemetryBufferDepth.set(this.telemetryBufferDepthNow()),
  });
  private telemetryHeldNow: () => number = () => 0;
  readonly telemetryHeld: Gauge = new Gauge({
    name: 'anxin_ingest_held_readings',
    help: 'Telemetry readings read from their sockets and waiting in line for the telemetry writer (bounded by ANXIN_INGEST_HOLD_MB)',
    registers: [this.registry],
    collect: (): void => this.telemetryHeld.set(this.telemetryHeldNow()),
  });
  readonly readPauses = new Counter({
    name: 'anxin_mqtt_read_pauses_total',
    help: 'Times a device connection stopped being read: too many of its publishes unanswered (connection) or the ingest line full (hold_full)',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  readonly backpressureWaits = new Counter({
    name: 'anxin_ingest_backpressure_waits_total',
    help: 'Device messages that waited for room in a full write buffer (their socket is not read meanwhile)',
    labelNames: ['writer'] as const,
    registers: [this.registry],
  });
  readonly telemetryShed = new Counter({
    name: 'anxin_telemetry_shed_total',
    help: 'QoS 0 telemetry readings dropped because the telemetry writer was busy (readings already waiting in line)',
    registers: [this.registry],
  });
  readonly ruleIntakeDepth = new Gauge({
    name: 'anxin_rule_intake_depth',
    help: 'Telemetry readings waiting for the telemetry rules',
    registers: [this.registry],
  });
  readonly ruleReadingsShed = new Counter({
    name: 'anxin_rule_readings_shed_total',
    help: 'Telemetry readings the telemetry rules skipped because their intake was full (the readings are stored)',
    registers: [this.registry],
  });
  readonly eventBatchRows = new Histogram({
    name: 'anxin_event_batch_rows',
    help: 'Events per group-commit statement',
    buckets: [1, 2, 5, 10, 25, 50, 100, 250, 500],
    registers: [this.registry],
  });
  readonly telemetryFlushRows = new Histogram({
    name: 'anxin_telemetry_flush_rows',
    help: 'Rows per telemetry flush',
    buckets: [1, 10, 50, 100, 250, 500, 1000, 2000, 5000],
    registers: [this.registry],
  });
  readonly deploymentTaskRuns = new Counter({
    name: 'anxin_deployment_task_runs_total',
    help: 'Runs of deployment-wide upkeep (sweeps, pruning) this process made; summed over processes, once per interval',
    labelNames: ['task'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  measureTelemetryBuffer(depth: () => number, held: () => number): void {
    this.telemetryBufferDepthNow = depth;
    this.telemetryHeldNow = held;
  }
}

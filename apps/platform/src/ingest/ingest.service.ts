import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { Logger } from 'pino';
import type { DataSource, EntityManager } from 'typeorm';
import { type DeviceChannel, type DeviceType, parseDeviceMessage, toStorableText } from '@anxin/contract';
import { CommandsService } from '../commands/commands.service';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { DATABASE_LANES, type DatabaseLanes } from '../database/database-lanes';
import { isDataError } from '../database/pg-errors.util';
import { StatementBatcher } from '../database/statement-batcher';
import type { DeploymentTask } from '../jobs/deployment-task';
import { DeploymentTasks } from '../jobs/deployment-tasks.service';
import { LOGGER } from '../logging/logger';
import { RepeatedLog } from '../logging/repeated-log';
import { PlatformMetrics } from '../metrics/metrics';
import { DeviceActivity } from './device-activity';
import { EventsHandler, type StoredEventId } from './events.handler';
import { type EventRow, IngestRepository, type TelemetryRow } from './ingest.repository';
import { AdmissionLine } from './admission-line';
import { type IngestedDevice, IngestSignals } from './ingest.signals';
import type { IngestOutcome } from './ingest.outcome';
import { isStoredOnLifeSafetyLane } from './life-safety.util';
import { RulesInStoreFailed, type StoreWithRules } from './rules-in-store';
import { StatusHandler } from './status.handler';
import { TelemetryHandler } from './telemetry.handler';

const EVENT_BATCH_MAX = 500;
const EVENT_BUFFER_MAX = 20_000;
/** Life-safety events are few; a bound still keeps a misbehaving fleet's flood out of memory. */
const LIFE_SAFETY_BATCH_MAX = 100;
const LIFE_SAFETY_BUFFER_MAX = 5_000;
/** Telemetry answers (PUBACKs and what follows each) given out per event-loop turn after a commit. */
const TELEMETRY_ANSWER_CHUNK = 256;
/**
 * What a reading waiting in line costs beside its payload (its packet, closures, promise): the heap
 * held ≈ 2.3 KB per reading in line or in the writer at 245,000 held (`--trace-gc`, 3× overload run).
 */
const HELD_READING_OVERHEAD_BYTES = 2048;

/** Expected heartbeat per device type (seconds); a device's own override wins. */
export const DEFAULT_HEARTBEAT_SECONDS: Record<DeviceType, number> = {
  mattress: 120,
  wearable: 900,
  sos_button: 3600,
  smoke_detector: 3600,
  gas_detector: 3600,
  water_leak_sensor: 3600,
  door_sensor: 5 * 3600,
  motion_sensor: 5 * 3600,
};

/**
 * The one entry for every device message, whatever transport brought it
 * (MQTT 3.1.1 via aedes, MQTT 5, WebSocket): validate first, then store, then
 * tell the broker what to answer (STYLE: one handler per topic kind).
 */
@Injectable()
export class IngestService implements OnModuleInit, OnApplicationShutdown {
  readonly signals = new IngestSignals();
  /** Group commit: the PUBACKs of events that arrived together wait for one transaction. */
  private readonly eventWriter: StatementBatcher<EventRow, StoredEventId>;
  /**
   * Life-safety events (and `sos_cancel`) on their own connections: never
   * queued behind bulk events or telemetry; their PUBACK follows their own commit,
   * which is also their alert's (`storeWithRules`).
   */
  private readonly lifeSafetyWriter: StatementBatcher<EventRow, StoredEventId>;
  private storeWithRules: StoreWithRules | null = null;
  /**
   * Telemetry is acknowledged after its batch commits. The line below lets in at most its
   * `maxBuffered`, so its own wait for room is a backstop that does not trigger today.
   */
  private readonly telemetryWriter: StatementBatcher<TelemetryRow, void>;
  /**
   * Readings beyond what the writer buffers wait here unparsed, so the broker
   * can keep reading sockets (an SOS behind a device's readings is not stuck
   * behind them) at a bounded cost; when it is saturated the broker stops reading.
   */
  private readonly telemetryLine: AdmissionLine;
  private readonly activity: DeviceActivity;
  private readonly events: EventsHandler;
  private readonly telemetry: TelemetryHandler;
  private readonly status: StatusHandler;
  private pruning: DeploymentTask | null = null;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly log: Logger,
    @Inject(DATABASE_LANES) lanes: DatabaseLanes,
    private readonly repository: IngestRepository,
    private readonly metrics: PlatformMetrics,
    commands: CommandsService,
    private readonly repeated: RepeatedLog,
    private readonly deploymentTasks: DeploymentTasks,
  ) {
    const { telemetryFlushMs, telemetryBatchSize, telemetryBufferMax, telemetryHoldBytes } = config.ingest;
    this.telemetryLine = new AdmissionLine(telemetryBufferMax, telemetryHoldBytes);
    this.eventWriter = new StatementBatcher<EventRow, StoredEventId>(
      async (rows) => (await repository.insertEvents(lanes.ingest.manager, rows)).map((id) => ({ id, ruled: false })),
      {
        maxWaitMs: 0,
        maxBatch: EVENT_BATCH_MAX,
        maxBuffered: EVENT_BUFFER_MAX,
        isolateFailures: isDataError,
        onWaitForRoom: () => metrics.backpressureWaits.inc({ writer: 'events' }),
      },
      (size) => metrics.eventBatchRows.observe(size),
    );
    this.lifeSafetyWriter = new StatementBatcher(
      (rows) => this.storeLifeSafety(lanes.lifeSafety, rows),
      {
        maxWaitMs: 0,
        urgent: true, // not behind the rest of a busy event-loop turn
        maxBatch: LIFE_SAFETY_BATCH_MAX,
        maxBuffered: LIFE_SAFETY_BUFFER_MAX,
        isolateFailures: isDataError,
        onWaitForRoom: () => metrics.backpressureWaits.inc({ writer: 'life_safety' }),
      },
      (size) => metrics.eventBatchRows.observe(size),
    );
    this.telemetryWriter = new StatementBatcher<TelemetryRow, void>(
      async (rows) => {
        const startedAt = performance.now();
        await repository.insertTelemetry(rows);
        metrics.telemetryCommitSeconds.observe((performance.now() - startedAt) / 1000);
        // Rows are in arrival order: the first waited longest.
        metrics.telemetryStoredSeconds.observe((Date.now() - rows[0]!.receivedAt.getTime()) / 1000);
        return rows.map(() => undefined);
      },
      {
        maxWaitMs: telemetryFlushMs,
        maxBatch: telemetryBatchSize,
        answerChunk: TELEMETRY_ANSWER_CHUNK,
        maxBuffered: telemetryBufferMax,
        isolateFailures: isDataError,
        onWaitForRoom: () => metrics.backpressureWaits.inc({ writer: 'telemetry' }),
      },
      (size) => metrics.telemetryFlushRows.observe(size),
    );
    metrics.measureTelemetryBuffer(
      () => this.telemetryWriter.depth,
      () => this.telemetryLine.depth,
    );
    this.activity = new DeviceActivity(repository, this.repeated);
    this.events = new EventsHandler(
      (row) => (isStoredOnLifeSafetyLane(row.type) ? this.lifeSafetyWriter : this.eventWriter).add(row),
      this.activity,
      this.signals,
      metrics,
      commands,
    );
    this.telemetry = new TelemetryHandler((row) => this.telemetryWriter.add(row), this.activity, this.signals);
    this.status = new StatusHandler(this.activity);
  }

  /** The alert engine's store, which applies their rules to life-safety events in the transaction that stores them. */
  storeLifeSafetyEventsWith(store: StoreWithRules): void {
    this.storeWithRules = store;
  }

  /**
   * One transaction stores the batch and rules what it can (StoreWithRules).
   * If the rules fail, the events are stored alone: an SOS is never refused
   * because its alert could not be written; the life-safety pass retries it.
   */
  private async storeLifeSafety(lane: DataSource, rows: EventRow[]): Promise<StoredEventId[]> {
    const insert = (manager: EntityManager, batch: EventRow[]) => this.repository.insertEvents(manager, batch);
    const storeWithRules = this.storeWithRules;
    if (storeWithRules) {
      try {
        const { stored, afterCommit } = await storeWithRules(lane, rows, insert);
        afterCommit();
        return stored;
      } catch (error) {
        if (!(error instanceof RulesInStoreFailed)) throw error;
        this.repeated.error(
          'rules-in-store',
          { err: error.cause },
          'alert rules failed while storing life-safety events; stored alone, the rule pass retries them',
        );
      }
    }
    return (await insert(lane.manager, rows)).map((id) => ({ id, ruled: false }));
  }

  onModuleInit(): void {
    // Hourly across the deployment (keeps each run small); the schedule is in the database, so processes
    // restarting more often than hourly still prune.
    this.pruning = this.deploymentTasks.every(
      'telemetry-prune',
      3600 * 1000,
      () => this.pruneTelemetry(),
      'telemetry prune failed',
    );
  }

  /**
   * `redelivered`: the packet carried MQTT's DUP flag (a QoS 1 retry after a lost PUBACK).
   * Telemetry takes its turn in the admission line; events and status go at once.
   */
  accept(device: IngestedDevice, channel: DeviceChannel, payload: Buffer, redelivered = false): Promise<IngestOutcome> {
    const receivedAt = new Date();
    if (channel !== 'telemetry') return this.store(device, channel, payload, redelivered, receivedAt);
    // Heard from now, though stored later: a device whose readings wait in line is not silent (no false device_offline).
    if (this.telemetryLine.busy) this.activity.touch(device, receivedAt);
    return this.telemetryLine.run(
      () => this.store(device, channel, payload, redelivered, receivedAt),
      payload.length + HELD_READING_OVERHEAD_BYTES,
    );
  }

  private async store(
    device: IngestedDevice,
    channel: DeviceChannel,
    payload: Buffer,
    redelivered: boolean,
    receivedAt: Date,
  ): Promise<IngestOutcome> {
    const parsed = parseDeviceMessage(device.type, channel, payload);
    if (!parsed.ok) {
      await this.reject(device, parsed.reason, parsed.detail);
      return { kind: 'rejected', reason: parsed.reason, detail: parsed.detail };
    }
    this.metrics.messagesIn.inc({ channel, device_type: device.type });
    try {
      switch (channel) {
        case 'events':
          return await this.events.handle(device, parsed.message as never, receivedAt);
        case 'telemetry':
          return await this.telemetry.handle(device, parsed.message as never, parsed.text, receivedAt, redelivered);
        case 'status':
          return await this.status.handle(device, parsed.message as never, receivedAt);
        case 'commands':
          // Devices only subscribe to commands; the topic ACL refuses publishing there first.
          return { kind: 'rejected', reason: 'schema_violation', detail: 'commands are sent by the platform' };
      }
    } catch (error) {
      if (isDataError(error)) {
        // The database refused this message's content: a retry would fail forever, so it is rejected and counted.
        const detail = `payload: refused by the database (${(error as Error).message})`.slice(0, 200);
        await this.reject(device, 'schema_violation', detail);
        return { kind: 'rejected', reason: 'schema_violation', detail };
      }
      this.repeated.error(
        `store:${channel}`,
        { err: error, deviceId: device.id, channel },
        'could not store a device message',
      );
      // Not acknowledged: the device keeps it and retries (QoS 1).
      return { kind: 'rejected', reason: 'storage_unavailable', detail: 'storage unavailable' };
    }
  }

  /** Counted on the device's health, changing nothing else (CONTRACT §2). */
  async reject(device: Pick<IngestedDevice, 'id'>, reason: string, detail: string): Promise<void> {
    this.metrics.rejected.inc({ reason });
    try {
      await this.repository.recordRejection(device.id, toStorableText(`${reason}: ${detail}`), new Date());
    } catch (error) {
      this.repeated.warn('count-rejection', { err: error, deviceId: device.id }, 'could not count a rejected message');
    }
  }

  setOnline(device: IngestedDevice, online: boolean): Promise<void> {
    const at = new Date();
    return this.activity.setOnline(device.id, online, at, device.connectedAt ?? at);
  }

  /** Whether a telemetry reading now would wait in line (the broker then sheds QoS 0 readings). */
  get telemetryBusy(): boolean {
    return this.telemetryLine.busy;
  }

  /** Whether the line of waiting readings is full: the broker stops reading device sockets. */
  get telemetrySaturated(): boolean {
    return this.telemetryLine.saturated;
  }

  /** Calls back once the line has room again (at once if it has). */
  onTelemetryRoom(callback: () => void): void {
    this.telemetryLine.onRoom(callback);
  }

  /** Readings still waiting in line were never acknowledged: at shutdown they are let go (devices send them again). */
  dropWaitingReadings(): void {
    this.telemetryLine.dropHeld(new Error('shutting down'));
  }

  /** A QoS 0 reading dropped under overload: counted; the device is still seen alive, its health untouched. */
  shedTelemetry(device: IngestedDevice): void {
    this.metrics.telemetryShed.inc();
    this.activity.touch(device, new Date());
  }

  async pruneTelemetry(): Promise<void> {
    const removed = await this.repository.pruneTelemetry(this.config.ingest.telemetryRetentionDays);
    if (removed > 0) this.log.info({ removed }, 'pruned raw telemetry past retention');
  }

  /** Drain: everything accepted is committed before the database closes. */
  async onApplicationShutdown(): Promise<void> {
    await this.pruning?.stop();
    await Promise.all([this.lifeSafetyWriter.close(), this.eventWriter.close(), this.telemetryWriter.close()]);
    await this.activity.close();
    this.repeated.flush(); // the shared log itself is closed by LoggingModule
  }
}

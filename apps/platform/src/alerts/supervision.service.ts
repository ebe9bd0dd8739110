import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import type { AlertView } from '@anxin/contract';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { StatementBatcher } from '../database/statement-batcher';
import { AppError } from '../errors/app.errors';
import { DEFAULT_HEARTBEAT_SECONDS, IngestService } from '../ingest/ingest.service';
import type { IngestedDevice } from '../ingest/ingest.signals';
import type { DeploymentTask } from '../jobs/deployment-task';
import { DeploymentTasks } from '../jobs/deployment-tasks.service';
import { LOGGER } from '../logging/logger';
import type { RaiseParams } from './alerts.repository';
import { AlertsService } from './alerts.service';
import { DEFAULT_RULE_SETTINGS } from './rules/rule-settings';
import { type ReadingState, SupervisionRepository } from './supervision.repository';

/** A sweep never waits less than this, even when a device is overdue (no busy loop on a failing statement). */
const MIN_WAIT_MS = 250;
/** An unchanged mattress state is written again after this long, so another process's change is not masked. */
const READING_STATE_REFRESH_MS = 30_000;

/**
 * Device supervision (CONTRACT §3 Supervision, issue 11): `device_offline` for
 * any device not heard from for its heartbeat, `reading_missing` for a mattress
 * in bed without vitals, each resolving itself when the device recovers. One
 * process of the deployment sweeps at a time (a DeploymentTask); the state is in
 * the device rows, so a restart or a second process changes nothing. The sweep
 * wakes when the next device falls due (and at least every ANXIN_OFFLINE_SWEEP_SECONDS), so an alert comes within
 * heartbeat + that interval at worst, and in practice within a fraction of a second of it.
 */
@Injectable()
export class SupervisionService implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown {
  private sweeps: DeploymentTask | null = null;
  private readonly readingState = new Map<string, { missing: boolean; at: number }>();
  /** Streak changes of many mattresses go in one statement; the last change of a device in a batch wins. */
  private readonly readingWriter = new StatementBatcher<ReadingState, void>(
    async (changes) => {
      await this.repository.recordReadingStates([...new Map(changes.map((c) => [c.deviceId, c])).values()]);
      return changes.map(() => undefined);
    },
    { maxWaitMs: 250, maxBatch: 1000 },
  );

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly log: Logger,
    private readonly db: DataSource,
    private readonly ingest: IngestService,
    private readonly alerts: AlertsService,
    private readonly repository: SupervisionRepository,
    private readonly deploymentTasks: DeploymentTasks,
  ) {}

  onModuleInit(): void {
    this.ingest.signals.on('telemetryStored', (device, message, at) => this.observeReadings(device, message, at));
  }

  onApplicationBootstrap(): void {
    this.sweeps = this.deploymentTasks.every(
      'device-supervision-sweep',
      this.config.ingest.offlineSweepSeconds * 1000,
      async () => {
        const dueInSeconds = await this.sweep();
        return dueInSeconds === null ? null : Math.max(MIN_WAIT_MS, dueInSeconds * 1000 + 20);
      },
      'device supervision sweep failed',
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.sweeps?.stop();
    await this.readingWriter.close();
  }

  /**
   * One pass: resolve what recovered, raise what fell silent or stale; answers seconds to the next silence.
   * A street's power cut silences hundreds of devices at once, and their return resolves as many alerts:
   * each side is one transaction, the raises one statement (raiseMany), not one transaction per alert.
   */
  async sweep(): Promise<number | null> {
    const changed = new Set<string>();
    // Recovered first: a device heard from and silent again since the last pass ends its old alert and gets a new one.
    const resolved = await this.resolveRecovered();
    for (const alert of resolved) {
      this.alerts.announce({ alert, created: false });
      changed.add(alert.residentId);
    }
    const raised = await this.db.transaction(async (manager) => {
      const silent = (await this.repository.markSilent(manager, DEFAULT_HEARTBEAT_SECONDS)).map((d) =>
        this.params(d, 'device_offline', 'low', {
          deviceId: d.id,
          deviceType: d.type,
          lastSeenAt: new Date(d.lastSeenAt).toISOString(),
          heartbeatSeconds: d.heartbeatSeconds,
        }),
      );
      const stale = (await this.repository.markStale(manager, DEFAULT_RULE_SETTINGS.readingMissingSeconds)).map((d) =>
        this.params(d, 'reading_missing', 'medium', {
          deviceId: d.id,
          deviceType: d.type,
          missingSince: new Date(d.since).toISOString(),
        }),
      );
      return this.alerts.raiseMany(manager, [...silent, ...stale]);
    });
    for (const result of raised) {
      this.alerts.announce(result);
      changed.add(result.alert.residentId);
    }
    await this.announceProtection(changed, new Set(raised.map((r) => r.alert.id)));
    return this.repository.secondsToNextSilence(DEFAULT_HEARTBEAT_SECONDS);
  }

  /** Ends the alerts of devices heard from again, in one transaction; answers the resolved views. */
  private async resolveRecovered(): Promise<AlertView[]> {
    const recovered = await this.repository.findRecovered();
    if (recovered.length === 0) return [];
    return this.db.transaction(async (manager) => {
      const views: AlertView[] = [];
      for (const alert of recovered) {
        const note = alert.kind === 'device_offline' ? 'device heard from again' : 'readings returned';
        try {
          views.push(await this.alerts.resolveUnscoped(alert.id, 'auto_resolved', note, null, manager));
        } catch (error) {
          if (!(error instanceof AppError)) throw error; // resolved meanwhile (an operator or another process)
        }
      }
      return views;
    });
  }

  /** The residents' other active alerts are sent again: their views carry the new protection state. */
  private async announceProtection(residentIds: Set<string>, alreadySent: Set<string>): Promise<void> {
    if (residentIds.size === 0) return;
    const active = await this.repository.activeAlertIds([...residentIds]);
    await this.alerts.announceByIds(active.filter((id) => !alreadySent.has(id)));
  }

  private params(
    d: { id: string; residentId: string; orgUnitId: string },
    kind: RaiseParams['kind'],
    severity: RaiseParams['severity'],
    readings: Record<string, unknown>,
  ): RaiseParams {
    return {
      residentId: d.residentId,
      orgUnitId: d.orgUnitId,
      deviceId: d.id,
      eventId: null,
      kind,
      severity,
      readings,
      at: new Date(),
    };
  }

  /**
   * CONTRACT §3 Supervision: a mattress reporting `inBed: true` without heart
   * rate or respiration starts a "missing since" streak in the database (seen by
   * every process, kept across restarts); readings back or out of bed end it.
   */
  private observeReadings(device: IngestedDevice, m: Record<string, unknown>, at: Date): void {
    if (device.type !== 'mattress' || typeof m.inBed !== 'boolean') return;
    const missing = m.inBed && (typeof m.heartRate !== 'number' || typeof m.respirationRate !== 'number');
    const known = this.readingState.get(device.id);
    if (known && known.missing === missing && at.getTime() - known.at < READING_STATE_REFRESH_MS) return;
    this.readingState.set(device.id, { missing, at: at.getTime() });
    // Batches run one after another, so a device's transitions keep their arrival order.
    this.readingWriter.add({ deviceId: device.id, missing, at }).catch((error: unknown) => {
      this.readingState.delete(device.id);
      this.log.warn({ err: error, deviceId: device.id }, 'could not record missing readings');
    });
  }
}

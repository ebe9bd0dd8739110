import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import type { Logger } from 'pino';
import { DataSource, type EntityManager } from 'typeorm';
import type { AlertView, CareProfile } from '@anxin/contract';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { IngestService } from '../ingest/ingest.service';
import type { IngestedDevice } from '../ingest/ingest.signals';
import { StatementBatcher } from '../database/statement-batcher';
import { JobsService } from '../jobs/jobs.service';
import { LOGGER } from '../logging/logger';
import type { RaiseParams } from './alerts.repository';
import { AlertsService } from './alerts.service';
import { type StoredEvent, takePendingEvents } from './pending-events.repository';
import { decideForEvent } from './rules/event-rules';
import { isInNightWindow } from './rules/night-window';
import { type RuleSettings, ruleSettingsFor } from './rules/rule-settings';
import { isOutsideSafeZone } from './rules/safe-zone';
import { VitalsTracker } from './rules/vitals-tracker';

const SETTINGS_TTL_MS = 10_000;

interface ResidentSeen {
  residentId: string;
  at: Date;
}
const CATCH_UP_MS = 2_000;

/**
 * Turns stored events and telemetry into alerts. Events are read from the
 * durable log with a processed marker (an outbox), so an event acknowledged to
 * its device yields its alert even if a process died between commit and rule;
 * FOR UPDATE SKIP LOCKED lets several processes share the work.
 */
@Injectable()
export class AlertEngineService implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown {
  private readonly vitals = new Map<string, VitalsTracker>();
  private readonly settings = new Map<string, { settings: RuleSettings; expiresAt: number }>();
  private readonly lastSteps = new Map<string, number>();
  private catchUpTimer: NodeJS.Timeout | null = null;
  private catchingUp = false;
  private passAgain = false;
  private stopped = false;
  /** Steps arrive with nearly every wearable reading; the inactivity rule needs them to the second, not per message. */
  private readonly stepsActivity = new StatementBatcher<ResidentSeen, void>(
    async (seen) => {
      await this.recordActivity(this.db.manager, seen);
      return seen.map(() => undefined);
    },
    { maxWaitMs: 250, maxBatch: 1000 },
  );

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly log: Logger,
    private readonly db: DataSource,
    private readonly ingest: IngestService,
    private readonly alerts: AlertsService,
    private readonly jobs: JobsService,
  ) {}

  onModuleInit(): void {
    // Coalesce: every stored event asks for a pass; one pass takes all pending events in batches.
    this.ingest.signals.on('eventStored', () => this.requestPass());
    this.ingest.signals.on('telemetryStored', (device, message, at) => void this.onTelemetry(device, message, at));
    this.jobs.handle('check-bed-return', ({ residentId, exitEventId }) => this.checkBedReturn(residentId, exitEventId));
    this.jobs.handle('inactivity-sweep', () => this.sweepInactivity(new Date()));
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.jobs.schedule(
      'inactivity-sweep',
      {},
      { schedulerId: 'inactivity-sweep', every: this.config.alerts.inactivitySweepSeconds * 1000 },
    );
    // Catch up on events stored while no process was applying rules (crash between commit and rule).
    this.catchUpTimer = setInterval(() => this.requestPass(), CATCH_UP_MS);
    this.catchUpTimer.unref();
    this.requestPass();
  }

  private requestPass(): void {
    if (this.stopped) return;
    if (this.catchingUp) {
      this.passAgain = true;
      return;
    }
    this.catchingUp = true;
    setImmediate(() => void this.runPasses());
  }

  private async runPasses(): Promise<void> {
    do {
      this.passAgain = false;
      await this.processPendingEvents();
    } while (this.passAgain && !this.stopped);
    this.catchingUp = false;
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.catchUpTimer) clearInterval(this.catchUpTimer);
    await this.stepsActivity.close().catch(() => undefined);
  }

  /** Applies the rules to every unprocessed event, 200 per transaction. */
  private async processPendingEvents(): Promise<void> {
    if (this.stopped) return;
    try {
      for (;;) {
        const announced: { alert: AlertView; created: boolean }[] = [];
        const count = await this.db.transaction(async (manager) => {
          // CONTRACT: life-safety events first (issue 11 §3), each resident's events in order.
          const events = await takePendingEvents(manager, 200);
          const activity: ResidentSeen[] = [];
          for (const event of events) announced.push(...(await this.applyEventRules(manager, event, activity)));
          await this.recordActivity(manager, activity);
          if (events.length > 0) {
            await manager.query(`UPDATE device_events SET processed_at = now() WHERE id = ANY($1::bigint[])`, [
              events.map((e) => e.id),
            ]);
          }
          return events.length;
        });
        for (const result of announced) this.alerts.announce(result);
        if (count < 200) return;
      }
    } catch (error) {
      this.log.error({ err: error }, 'alert rules failed; the events stay queued for the next pass');
    }
  }

  /** Movement seen by `e` is added to `activity`, written once per pass. */
  private async applyEventRules(manager: EntityManager, e: StoredEvent, activity: ResidentSeen[]) {
    const settings = ruleSettingsFor(e.careProfile);
    this.settings.set(e.residentId, { settings, expiresAt: Date.now() + SETTINGS_TTL_MS });
    const at = new Date(e.receivedAt);
    const results: { alert: AlertView; created: boolean }[] = [];
    for (const decision of decideForEvent(e.payload, e.deviceType, settings, at, this.config.time.timezone)) {
      switch (decision.action) {
        case 'raise':
          results.push(
            await this.alerts.raise(
              manager,
              this.raiseParams(
                { ...e, eventId: e.id },
                decision.kind,
                decision.severity,
                decision.readings ?? null,
                at,
              ),
            ),
          );
          break;
        case 'cancel':
          for (const id of await this.alerts.findCancellable(manager, e.residentId, decision.windows, at)) {
            results.push({
              alert: await this.alerts.resolveUnscoped(
                id,
                'cancelled_by_resident',
                'cancelled on the device',
                null,
                manager,
              ),
              created: false,
            });
          }
          break;
        case 'await-bed-return':
          // Deterministic id: a re-processed event does not start a second timer.
          await this.jobs.add(
            'check-bed-return',
            { residentId: e.residentId, exitEventId: e.id },
            { jobId: `bed-return-${e.id}`, delayMs: decision.delaySeconds * 1000, manager },
          );
          break;
        case 'activity':
          activity.push({ residentId: e.residentId, at });
          break;
      }
    }
    return results;
  }

  private raiseParams(
    source: { residentId: string; orgUnitId: string; deviceId: string; eventId: string | null },
    kind: RaiseParams['kind'],
    severity: RaiseParams['severity'],
    readings: Record<string, unknown> | null,
    at: Date,
  ): RaiseParams {
    return { ...source, kind, severity, readings, at };
  }

  /**
   * One statement, rows locked in resident order: the rule pass and the steps
   * writer never wait on each other in opposite orders (no deadlock).
   */
  private async recordActivity(manager: EntityManager, seen: ResidentSeen[]): Promise<void> {
    if (seen.length === 0) return;
    await manager.query(
      `INSERT INTO resident_activity (resident_id, last_activity_at)
       SELECT resident_id, max(at) FROM unnest($1::uuid[], $2::timestamptz[]) AS v(resident_id, at)
       GROUP BY resident_id ORDER BY resident_id
       ON CONFLICT (resident_id) DO UPDATE SET last_activity_at = greatest(resident_activity.last_activity_at, excluded.last_activity_at)`,
      [seen.map((a) => a.residentId), seen.map((a) => a.at)],
    );
  }

  private async settingsFor(residentId: string): Promise<RuleSettings> {
    const cached = this.settings.get(residentId);
    if (cached && cached.expiresAt > Date.now()) return cached.settings;
    const rows = await this.db.query<{ careProfile: CareProfile }[]>(
      `SELECT care_profile AS "careProfile" FROM residents WHERE id = $1`,
      [residentId],
    );
    const settings = ruleSettingsFor(rows[0]?.careProfile);
    this.settings.set(residentId, { settings, expiresAt: Date.now() + SETTINGS_TTL_MS });
    return settings;
  }

  /** Telemetry rules run on the process the device is connected to, as readings arrive. */
  private async onTelemetry(device: IngestedDevice, m: Record<string, unknown>, at: Date): Promise<void> {
    try {
      const settings = await this.settingsFor(device.residentId);
      const raises: RaiseParams[] = [];
      const num = (v: unknown) => (typeof v === 'number' ? v : null);
      if (device.type === 'mattress') {
        let tracker = this.vitals.get(device.id);
        if (!tracker) this.vitals.set(device.id, (tracker = new VitalsTracker()));
        const inBed = typeof m.inBed === 'boolean' ? m.inBed : null;
        for (const f of tracker.observe(
          { at, inBed, heartRate: num(m.heartRate), respirationRate: num(m.respirationRate) },
          settings,
        )) {
          raises.push(
            this.raiseParams(
              { ...device, deviceId: device.id, eventId: null },
              f.kind,
              f.severity,
              { ...f.readings, since: f.since.toISOString() },
              at,
            ),
          );
        }
      }
      if (device.type === 'wearable') {
        const lat = num(m.lat);
        const lon = num(m.lon);
        if (settings.safeZone && lat !== null && lon !== null && isOutsideSafeZone({ lat, lon }, settings.safeZone)) {
          raises.push(
            this.raiseParams(
              { ...device, deviceId: device.id, eventId: null },
              'left_safe_zone',
              'high',
              { lat, lon, safeZone: settings.safeZone },
              at,
            ),
          );
        }
        const steps = num(m.steps);
        const previous = this.lastSteps.get(device.id);
        if (steps !== null) this.lastSteps.set(device.id, steps);
        if (steps !== null && previous !== undefined && steps > previous)
          this.stepsActivity
            .add({ residentId: device.residentId, at })
            .catch((error: unknown) => this.log.warn({ err: error }, 'could not record resident activity'));
      }
      if (raises.length === 0) return;
      await this.raiseAll(raises);
    } catch (error) {
      this.log.error({ err: error, deviceId: device.id }, 'telemetry rules failed');
    }
  }

  /** In one transaction, one statement at a time: a transaction is one connection. */
  private async raiseAll(raises: RaiseParams[]): Promise<void> {
    const results = await this.db.transaction(async (manager) => {
      const raised = [];
      for (const r of raises) raised.push(await this.alerts.raise(manager, r));
      return raised;
    });
    for (const result of results) this.alerts.announce(result);
  }

  /** The bed-return timer: alert unless a bed_enter was stored after the exit. Idempotent. */
  private async checkBedReturn(residentId: string, exitEventId: string): Promise<void> {
    const results = await this.db.transaction(async (manager) => {
      const exit = await manager.query<{ deviceId: string; orgUnitId: string; receivedAt: Date }[]>(
        `SELECT device_id AS "deviceId", org_unit_id AS "orgUnitId", received_at AS "receivedAt" FROM device_events WHERE id = $1`,
        [exitEventId],
      );
      if (!exit[0]) return [];
      const back = await manager.query<unknown[]>(
        `SELECT 1 FROM device_events WHERE resident_id = $1 AND type = 'bed_enter' AND received_at >= $2 AND id > $3 LIMIT 1`,
        [residentId, exit[0].receivedAt, exitEventId],
      );
      if (back.length > 0) return [];
      return [
        await this.alerts.raise(
          manager,
          this.raiseParams(
            { residentId, orgUnitId: exit[0].orgUnitId, deviceId: exit[0].deviceId, eventId: exitEventId },
            'not_back_in_bed',
            'high',
            { bedExitAt: new Date(exit[0].receivedAt).toISOString() },
            new Date(),
          ),
        ),
      ];
    });
    for (const result of results) this.alerts.announce(result);
  }

  /** No activity at all for the resident's inactivity period, during the day. */
  async sweepInactivity(now: Date): Promise<void> {
    const candidates = await this.db.query<
      { residentId: string; orgUnitId: string; lastActivityAt: Date; careProfile: CareProfile }[]
    >(
      `SELECT ra.resident_id AS "residentId", r.org_unit_id AS "orgUnitId", ra.last_activity_at AS "lastActivityAt", r.care_profile AS "careProfile"
       FROM resident_activity ra JOIN residents r ON r.id = ra.resident_id
       WHERE ra.last_activity_at < $1::timestamptz - make_interval(secs => coalesce((r.care_profile -> 'rules' ->> 'inactivitySeconds')::int, 43200))
         AND NOT EXISTS (SELECT 1 FROM alerts a WHERE a.resident_id = ra.resident_id AND a.kind = 'inactivity' AND a.opened_at > ra.last_activity_at)`,
      [now],
    );
    for (const c of candidates) {
      if (isInNightWindow(now, ruleSettingsFor(c.careProfile).nightWindow, this.config.time.timezone)) continue; // asleep is not inactive
      const result = await this.db.transaction((manager) =>
        this.alerts.raise(manager, {
          residentId: c.residentId,
          orgUnitId: c.orgUnitId,
          kind: 'inactivity',
          severity: 'medium',
          deviceId: null,
          eventId: null,
          readings: { lastActivityAt: new Date(c.lastActivityAt).toISOString() },
          at: now,
        }),
      );
      this.alerts.announce(result);
    }
  }
}

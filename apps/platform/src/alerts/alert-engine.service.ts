import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import type { Logger } from 'pino';
import { DataSource, type EntityManager } from 'typeorm';
import type { CareProfile } from '@anxin/contract';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { DATABASE_LANES, type DatabaseLanes } from '../database/database-lanes';
import { transactionInOneRoundTrip } from '../database/one-round-trip-transaction';
import type { StoredEventId } from '../ingest/events.handler';
import type { EventRow } from '../ingest/ingest.repository';
import { IngestService } from '../ingest/ingest.service';
import { residentTurnsStatement } from '../ingest/resident-turn';
import { type InsertEvents, RulesInStoreFailed, type StoredWithRules } from '../ingest/rules-in-store';
import { JobsService } from '../jobs/jobs.service';
import { LOGGER } from '../logging/logger';
import { RepeatedLog } from '../logging/repeated-log';
import { type RaiseParams, type RaiseResult, type StoreAndRaiseRow, raiseParams } from './alerts.repository';
import { AlertsService } from './alerts.service';
import { CoalescedRun } from './coalesced-run';
import {
  type StoredEvent,
  takeJustStoredEvents,
  takeLifeSafetyEvents,
  takeRoutineEvents,
} from './pending-events.repository';
import { recordActivity, type ResidentSeen } from './resident-activity.repository';
import { decideForEvent, lifeSafetyRaise, type RaiseDecision } from './rules/event-rules';
import { isInNightWindow } from './rules/night-window';
import { ruleSettingsFor } from './rules/rule-settings';

const CATCH_UP_MS = 2_000;
const PASS_BATCH = 200;
/**
 * The routine pass that follows life-safety passes, for the events they held
 * back, runs once per this many ms at most: during an SOS storm, each of its
 * passes was followed by a routine pass that found nothing (three statements,
 * half of the storm's rule-pass statements).
 */
const ROUTINE_AFTER_LIFE_SAFETY_MS = 100;

type RulePass = 'lifeSafety' | 'routine';

/** What a rule pass's transaction writes in bulk, and the alerts it announces after commit. */
interface PassEffects {
  raises: RaiseParams[];
  activity: ResidentSeen[];
  results: RaiseResult[];
}

/**
 * Turns stored events into alerts (telemetry: TelemetryRulesService). Events are read from the
 * durable log with a processed marker (an outbox), so an event acknowledged to
 * its device yields its alert even if a process died between commit and rule;
 * row locks let several processes share the work. Two passes read it: life-safety
 * and routine (pending-events.repository.ts: how a resident's order holds across them).
 */
@Injectable()
export class AlertEngineService implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown {
  private catchUpTimer: NodeJS.Timeout | null = null;
  private stopped = false;
  /** Every event of residents without a pending life-safety event, on the main pool. */
  private readonly routinePass = new CoalescedRun(() => this.processPendingEvents('routine'));
  /**
   * Issue 13: residents with a pending life-safety event, on the life-safety
   * lane, started by the event itself: neither the main pool nor ingest's
   * connections stand between an SOS and its alert. Then the routine pass,
   * for those residents' later events it left alone.
   */
  private readonly lifeSafetyPass = new CoalescedRun(async () => {
    await this.processPendingEvents('lifeSafety');
    this.routinePass.requestWithin(ROUTINE_AFTER_LIFE_SAFETY_MS);
  }, true);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly log: Logger,
    private readonly db: DataSource,
    private readonly ingest: IngestService,
    private readonly alerts: AlertsService,
    private readonly jobs: JobsService,
    @Inject(DATABASE_LANES) private readonly lanes: DatabaseLanes,
    private readonly repeated: RepeatedLog,
  ) {}

  onModuleInit(): void {
    // Coalesce: every stored event asks for its pass; one pass takes all pending events in batches.
    this.ingest.signals.on('eventStored', (_id, lifeSafety) =>
      (lifeSafety ? this.lifeSafetyPass : this.routinePass).request(),
    );
    this.ingest.storeLifeSafetyEventsWith((lane, rows, insert) => this.storeWithRules(lane, rows, insert));
    this.jobs.handle('check-bed-return', ({ residentId, exitEventId }) => this.checkBedReturn(residentId, exitEventId));
    this.jobs.handle('inactivity-sweep', () => this.sweepInactivity(new Date()));
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.jobs.schedule(
      'inactivity-sweep',
      {},
      { schedulerId: 'inactivity-sweep', every: this.config.alerts.inactivitySweepSeconds * 1000 },
    );
    // Catch up on events stored while no process was applying rules (crash between commit and rule):
    // life-safety first (issue 11 §3), the routine pass after it.
    this.catchUpTimer = setInterval(() => this.lifeSafetyPass.request(), CATCH_UP_MS);
    this.catchUpTimer.unref();
    this.lifeSafetyPass.request();
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    this.lifeSafetyPass.stop();
    this.routinePass.stop();
    if (this.catchUpTimer) clearInterval(this.catchUpTimer);
    this.repeated.flush(); // the shared log itself is closed by LoggingModule
  }

  /**
   * Applies the rules to the pass's unprocessed events, 200 per transaction,
   * each resident's in order (pending-events.repository.ts says how the two
   * passes keep it); alerts are announced after commit.
   */
  private async processPendingEvents(pass: RulePass): Promise<void> {
    if (this.stopped) return;
    const db = pass === 'lifeSafety' ? this.lanes.lifeSafety : this.db;
    const take = pass === 'lifeSafety' ? takeLifeSafetyEvents : takeRoutineEvents;
    try {
      for (;;) {
        const { count, announced } = await db.transaction(async (manager) => {
          const events = await take(manager, PASS_BATCH);
          return { count: events.length, announced: await this.applyRules(manager, events) };
        });
        for (const result of announced) this.alerts.announce(result);
        if (count < PASS_BATCH) return;
      }
    } catch (error) {
      this.repeated.error(
        `rule-pass:${pass}`,
        { err: error, pass },
        'alert rules failed; the events stay queued for the next pass',
      );
    }
  }

  /**
   * Ingest's life-safety writer (issue 13): one transaction stores the batch and
   * raises what it can. A batch of raising events, one per resident — the usual
   * SOS, fall or alarm — takes the residents' turns, then one statement stores
   * and raises (AlertsRepository.storeAndRaise); any other batch is inserted and
   * then ruled. Either way a resident with an earlier event still pending is left
   * to the passes, never waited for.
   */
  private async storeWithRules(lane: DataSource, rows: EventRow[], insert: InsertEvents): Promise<StoredWithRules> {
    const raises = rows.flatMap((row) => lifeSafetyRaise(row.type, row.deviceType) ?? []);
    const oneStatement =
      raises.length === rows.length && new Set(rows.map((row) => row.residentId)).size === rows.length;
    if (oneStatement) return this.storeAndRaise(lane, rows, raises);
    const { stored, results } = await lane.transaction((manager) => this.storeThenRule(manager, rows, insert));
    return {
      stored,
      afterCommit: () => {
        for (const result of results) this.alerts.announce(result);
      },
    };
  }

  /**
   * One round trip: START TRANSACTION with the residents' turns (the statement
   * after them sees every earlier event of theirs), the statement, COMMIT.
   */
  private async storeAndRaise(lane: DataSource, rows: EventRow[], raises: RaiseDecision[]): Promise<StoredWithRules> {
    const events = rows.map((row, i) => {
      const { kind, severity, readings } = raises[i]!;
      return { ...row, payload: JSON.stringify(row.payload), kind, severity, readings: readings ?? null };
    });
    try {
      const { ids, results } = this.alerts.storedAndRaised(
        await transactionInOneRoundTrip<StoreAndRaiseRow>(
          lane,
          residentTurnsStatement(rows.map((row) => row.residentId)),
          this.alerts.storeAndRaiseStatement(events),
        ),
      );
      return {
        stored: rows.map((row) => ids.get(`${row.deviceId}/${row.seq}`) ?? { id: null, ruled: false }),
        afterCommit: () => this.alerts.announceStored(results),
      };
    } catch (error) {
      throw new RulesInStoreFailed(error); // which half failed is unknown: ingest stores the events alone
    }
  }

  private async storeThenRule(
    manager: EntityManager,
    rows: EventRow[],
    insert: InsertEvents,
  ): Promise<{ stored: StoredEventId[]; results: RaiseResult[] }> {
    const ids = await insert(manager, rows);
    try {
      const events = await takeJustStoredEvents(
        manager,
        ids.filter((id): id is string => id !== null),
      );
      const results = await this.applyRules(manager, events);
      const ruled = new Set(events.map((e) => e.id));
      return { stored: ids.map((id) => ({ id, ruled: id !== null && ruled.has(id) })), results };
    } catch (error) {
      throw new RulesInStoreFailed(error);
    }
  }

  /** Applies the rules to `events` (taken, in order) and writes what they decided; answers the alerts to announce after commit. */
  private async applyRules(manager: EntityManager, events: StoredEvent[]): Promise<RaiseResult[]> {
    const effects: PassEffects = { raises: [], activity: [], results: [] };
    for (const event of events) await this.applyEventRules(manager, event, effects);
    await this.raisePending(manager, effects);
    await recordActivity(manager, effects.activity);
    return effects.results;
  }

  /** Applies `e`'s rules; its raises and movement are added to `effects`, written later in the pass. */
  private async applyEventRules(manager: EntityManager, e: StoredEvent, effects: PassEffects): Promise<void> {
    const settings = ruleSettingsFor(e.careProfile);
    const at = new Date(e.receivedAt);
    for (const decision of decideForEvent(e.payload, e.deviceType, settings, at, this.config.time.timezone)) {
      switch (decision.action) {
        case 'raise':
          effects.raises.push(
            raiseParams({ ...e, eventId: e.id }, decision.kind, decision.severity, decision.readings ?? null, at),
          );
          break;
        case 'cancel':
          // The raises of events before this one first: a cancel must find the alert they open.
          await this.raisePending(manager, effects);
          for (const id of await this.alerts.findCancellable(manager, e.residentId, decision.windows, at)) {
            effects.results.push({
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
          effects.activity.push({ residentId: e.residentId, at });
          break;
      }
    }
  }

  /** Writes the raises collected so far (AlertsService.raiseMany keeps each alert's in event order). */
  private async raisePending(manager: EntityManager, effects: PassEffects): Promise<void> {
    effects.results.push(...(await this.alerts.raiseMany(manager, effects.raises.splice(0))));
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
          raiseParams(
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

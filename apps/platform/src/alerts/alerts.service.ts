import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { Logger } from 'pino';
import { DataSource, type EntityManager } from 'typeorm';
import type { AlertKind, AlertOutcome, AlertView, ResolveOutcome } from '@anxin/contract';
import { AuditService } from '../audit/audit.service';
import type { Principal } from '../auth/principal';
import { APP_CONFIG, type AppConfig } from '../config/config';
import type { PreparedStatement } from '../database/prepared-query';
import { AppError, notFound } from '../errors/app.errors';
import { JobsService } from '../jobs/jobs.service';
import { LOGGER } from '../logging/logger';
import type { OrgScope } from '../org-units/org-scope';
import { ResidentsService } from '../residents/residents.service';
import { AlertSignals } from './alert-signals';
import {
  type AlertListFilter,
  AlertsRepository,
  type LifeSafetyEventRow,
  type RaiseParams,
  type RaiseResult,
  type StoreAndRaiseRow,
  type StoredAndRaised,
} from './alerts.repository';
import { escalationJobId, firstEscalations } from './escalation-timers';
import { NotificationOutboxService } from './notification-outbox.service';

/** The alert lifecycle: open → acknowledged → dispatched → resolved, with escalation while unacknowledged. */
@Injectable()
export class AlertsService implements OnModuleInit {
  readonly signals = new AlertSignals();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly log: Logger,
    private readonly db: DataSource,
    private readonly alerts: AlertsRepository,
    private readonly audit: AuditService,
    private readonly jobs: JobsService,
    private readonly notifications: NotificationOutboxService,
    private readonly residents: ResidentsService,
  ) {}

  onModuleInit(): void {
    this.jobs.handle('escalate-alert', ({ alertId, level }) => this.escalate(alertId, level));
    // The operator sees that the contacts were not reached (alert detail, board badge).
    this.notifications.signals.on('failed', (alertId) => void this.announceById(alertId));
    // A moved resident's open alerts belong to its new station; its consoles hear of them after commit.
    this.residents.onMove(async (manager, residentId, orgUnitId) => {
      const moved = await this.alerts.moveUnresolvedOfResident(manager, residentId, orgUnitId);
      return async () => {
        await this.announceByIds(moved);
      };
    });
  }

  /** After commit: re-sends the whole alert (e.g. its order's status changed) to the consoles. */
  announceById(id: string): Promise<void> {
    return this.announceByIds([id]);
  }

  /** `announceById` of many alerts, read in one query (a street's devices coming back at once). */
  async announceByIds(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    try {
      for (const alert of await this.alerts.findByIds(ids)) this.signals.emit('updated', alert);
    } catch (error) {
      this.log.warn({ err: error, alertIds: ids.slice(0, 10), count: ids.length }, 'could not announce alerts');
    }
  }

  /** `raiseMany` of one. */
  async raise(manager: EntityManager, params: RaiseParams): Promise<RaiseResult> {
    return (await this.raiseMany(manager, [params]))[0]!;
  }

  /**
   * Raises (or recurs) inside the caller's transaction, in order, each result's view built by the
   * same statement (issue 13: a rule pass's raises cost one or two statements, not two per event).
   * The first escalation of each new alert is a timer row in that transaction: it exists exactly when
   * the alert does; its wake-up is queued after commit, never awaited.
   */
  async raiseMany(manager: EntityManager, raises: RaiseParams[]): Promise<RaiseResult[]> {
    if (raises.length === 0) return [];
    const results = await this.alerts.raiseOrRecurMany(manager, raises);
    await this.startEscalations(manager, results);
    return results;
  }

  /**
   * The statement that stores life-safety events, one per resident, raises their alerts and adds
   * the new alerts' first escalation timers, for a transaction that holds the residents' turns
   * (AlertsRepository.storeAndRaiseStatement). After commit: `announceStored`.
   */
  storeAndRaiseStatement(events: LifeSafetyEventRow[]): PreparedStatement {
    return this.alerts.storeAndRaiseStatement(events, this.config.alerts.escalateAfterSeconds);
  }

  storedAndRaised(rows: StoreAndRaiseRow[]): StoredAndRaised {
    return this.alerts.storedAndRaised(rows);
  }

  /** After the store-and-raise commit: the escalation timers' wake-ups, and the consoles hear of the alerts. */
  announceStored(results: RaiseResult[]): void {
    this.jobs.queueWakeUps('escalate-alert', firstEscalations(results, this.config.alerts.escalateAfterSeconds));
    for (const result of results) this.announce(result);
  }

  /** The first escalation timer of each new alert, in the raising transaction. */
  private startEscalations(manager: EntityManager, results: RaiseResult[]): Promise<void> {
    return this.jobs.addMany(
      'escalate-alert',
      firstEscalations(results, this.config.alerts.escalateAfterSeconds),
      manager,
    );
  }

  /** After commit: consoles hear of it. */
  announce(result: RaiseResult): void {
    this.signals.emit(result.created ? 'raised' : 'updated', result.alert);
  }

  async requireInScope(scope: OrgScope, id: string): Promise<AlertView> {
    const alert = await this.alerts.findInScope(scope, id);
    if (!alert) throw notFound(`alert ${id}`);
    return alert;
  }

  list(principal: Principal, filter: AlertListFilter): Promise<[AlertView[], number]> {
    return this.alerts.list(principal.scope, filter);
  }

  listActive(scope: OrgScope): Promise<AlertView[]> {
    return this.alerts.listActive(scope);
  }

  async acknowledge(principal: Principal, id: string, note: string | null): Promise<AlertView> {
    const current = await this.requireInScope(principal.scope, id);
    if (current.status !== 'open') return current; // acknowledging twice is harmless
    const alert = await this.db.transaction(async (manager) => {
      const updated = await this.alerts.acknowledge(manager, id, principal.userId, note);
      if (updated) await this.recordStep(manager, principal, updated, 'alert.acknowledge', note);
      return updated;
    });
    if (!alert) return this.requireInScope(principal.scope, id);
    // Acknowledgement stops the escalation chain.
    await this.jobs.remove(escalationJobId(id, alert.escalationLevel + 1)).catch(() => undefined);
    this.signals.emit('updated', alert);
    return alert;
  }

  async resolve(principal: Principal, id: string, outcome: ResolveOutcome, note: string | null): Promise<AlertView> {
    const current = await this.requireInScope(principal.scope, id);
    if (current.status === 'resolved') throw new AppError('conflict', 'alert is already resolved');
    return this.resolveUnscoped(id, outcome, note, principal);
  }

  /** Also used when a caregiver completes an emergency order or a resident cancels. */
  async resolveUnscoped(
    id: string,
    outcome: AlertOutcome,
    note: string | null,
    actor: Principal | null,
    manager?: EntityManager,
  ): Promise<AlertView> {
    const run = async (m: EntityManager) => {
      const updated = await this.alerts.resolve(m, id, actor?.userId ?? null, outcome, note);
      if (updated) await this.recordStep(m, actor, updated, 'alert.resolve', note, { outcome });
      return updated;
    };
    const alert = manager ? await run(manager) : await this.db.transaction(run);
    if (!alert) throw new AppError('conflict', 'alert is already resolved');
    if (!manager) this.signals.emit('updated', alert);
    return alert;
  }

  async markDispatched(manager: EntityManager, principal: Principal, id: string): Promise<AlertView | null> {
    const alert = await this.alerts.markDispatched(manager, id, principal.userId);
    if (alert) await this.recordStep(manager, principal, alert, 'alert.dispatch', null);
    return alert;
  }

  /** Device faults open longer than `afterSeconds` still waiting for their maintenance order. */
  findDueForMaintenance(kinds: readonly AlertKind[], afterSeconds: number): Promise<AlertView[]> {
    return this.alerts.findDueForMaintenance(kinds, afterSeconds);
  }

  /** In the order's transaction: true for exactly one caller, so an alert gets one maintenance order. */
  claimMaintenance(manager: EntityManager, alertId: string): Promise<boolean> {
    return this.alerts.claimMaintenance(manager, alertId);
  }

  findCancellable(
    manager: EntityManager,
    residentId: string,
    windows: Partial<Record<'sos' | 'fall', number>>,
    at: Date,
  ) {
    return this.alerts.findCancellable(manager, residentId, windows, at);
  }

  private async escalate(alertId: string, level: number): Promise<void> {
    // The level, its audit entry and the contacts' notification commit together: none is lost to a crash.
    const escalated = await this.db.transaction(async (manager) => {
      const alert = await this.alerts.escalate(alertId, level, manager);
      if (!alert) return null; // acknowledged, resolved, or this level already ran
      await this.audit.record(
        {
          actor: null,
          action: 'alert.escalate',
          subjectType: 'alert',
          subjectId: alertId,
          orgUnitId: alert.orgUnitId,
          detail: { level },
        },
        manager,
      );
      const contacts = await manager.query<{ contacts: [] }[]>(
        `SELECT emergency_contacts AS contacts FROM residents WHERE id = $1`,
        [alert.residentId],
      );
      const outboxId = await this.notifications.enqueue(manager, alert, contacts[0]?.contacts ?? [], level);
      // The next level's timer commits with this one: a re-run after a crash finds the level done and must
      // not be the only way to the next.
      const after = this.config.alerts.escalateAfterSeconds[alert.severity];
      if (level < this.config.alerts.maxEscalationLevel && after > 0) {
        await this.jobs.add(
          'escalate-alert',
          { alertId, level: level + 1 },
          { jobId: escalationJobId(alertId, level + 1), delayMs: after * 1000, manager },
        );
      }
      return { alert, outboxId };
    });
    if (!escalated) return;
    const { alert } = escalated;
    this.signals.emit('updated', alert);
    await this.notifications.wake(escalated.outboxId, alertId);
    this.log.info({ alertId, escalationLevel: level }, 'alert escalated');
  }

  private recordStep(
    manager: EntityManager,
    actor: Principal | null,
    alert: AlertView,
    action: string,
    note: string | null,
    extra: Record<string, unknown> = {},
  ) {
    return this.audit.record(
      {
        actor,
        action,
        subjectType: 'alert',
        subjectId: alert.id,
        orgUnitId: alert.orgUnitId,
        detail: { note, status: alert.status, ...extra },
      },
      manager,
    );
  }
}

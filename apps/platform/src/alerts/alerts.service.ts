import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { Logger } from 'pino';
import { DataSource, type EntityManager } from 'typeorm';
import type { AlertView, ResolveOutcome } from '@anxin/contract';
import { AuditService } from '../audit/audit.service';
import type { Principal } from '../auth/principal';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { AppError, notFound } from '../errors/app.errors';
import { JobsService } from '../jobs/jobs.service';
import { LOGGER } from '../logging/logger';
import type { OrgScope } from '../org-units/org-scope';
import { AlertSignals } from './alert-signals';
import { type AlertListFilter, AlertsRepository, type RaiseParams } from './alerts.repository';
import { type ContactNotifier, LoggingNotifier, WebhookNotifier } from './contact-notifier';

const escalationJobId = (alertId: string, level: number) => `escalate:${alertId}:${level}`;

/** The alert lifecycle: open → acknowledged → dispatched → resolved, with escalation while unacknowledged. */
@Injectable()
export class AlertsService implements OnModuleInit {
  readonly signals = new AlertSignals();
  private readonly notifier: ContactNotifier;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly log: Logger,
    private readonly db: DataSource,
    private readonly alerts: AlertsRepository,
    private readonly audit: AuditService,
    private readonly jobs: JobsService,
  ) {
    const logging = new LoggingNotifier(log);
    this.notifier = config.alerts.notifyWebhookUrl
      ? new WebhookNotifier(config.alerts.notifyWebhookUrl, logging, log)
      : logging;
  }

  onModuleInit(): void {
    this.jobs.handle('escalate-alert', ({ alertId, level }) => this.escalate(alertId, level));
  }

  /**
   * Raises (or recurs) inside the caller's transaction. The first escalation is
   * queued before commit: if the transaction rolls back the job finds no open alert.
   */
  async raise(manager: EntityManager, params: RaiseParams): Promise<{ alert: AlertView; created: boolean }> {
    const result = await this.alerts.raiseOrRecur(manager, params);
    const after = this.config.alerts.escalateAfterSeconds[params.severity];
    if (result.created && after > 0) {
      await this.jobs.add(
        'escalate-alert',
        { alertId: result.alert.id, level: 1 },
        { jobId: escalationJobId(result.alert.id, 1), delayMs: after * 1000 },
      );
    }
    return result;
  }

  /** After commit: consoles hear of it. */
  announce(result: { alert: AlertView; created: boolean }): void {
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
    outcome: ResolveOutcome,
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

  findCancellable(
    manager: EntityManager,
    residentId: string,
    windows: Partial<Record<'sos' | 'fall', number>>,
    at: Date,
  ) {
    return this.alerts.findCancellable(manager, residentId, windows, at);
  }

  private async escalate(alertId: string, level: number): Promise<void> {
    const alert = await this.alerts.escalate(alertId, level);
    if (!alert) return; // acknowledged, resolved, or this level already ran
    this.signals.emit('updated', alert);
    await this.audit.record({
      actor: null,
      action: 'alert.escalate',
      subjectType: 'alert',
      subjectId: alertId,
      orgUnitId: alert.orgUnitId,
      detail: { level },
    });
    const contacts = await this.db.query<{ contacts: [] }[]>(
      `SELECT emergency_contacts AS contacts FROM residents WHERE id = $1`,
      [alert.residentId],
    );
    await this.notifier.notify(alert, contacts[0]?.contacts ?? [], level);
    const after = this.config.alerts.escalateAfterSeconds[alert.severity];
    if (level < this.config.alerts.maxEscalationLevel && after > 0) {
      await this.jobs.add(
        'escalate-alert',
        { alertId, level: level + 1 },
        { jobId: escalationJobId(alertId, level + 1), delayMs: after * 1000 },
      );
    }
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

import { EventEmitter } from 'node:events';
import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleInit } from '@nestjs/common';
import type { Logger } from 'pino';
import type { EntityManager } from 'typeorm';
import type { AlertView, EmergencyContact } from '@anxin/contract';
import { AuditService } from '../audit/audit.service';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { JobsService } from '../jobs/jobs.service';
import { LOGGER } from '../logging/logger';
import { postWebhook } from './contact-notifier';
import { NotificationOutboxRepository, type OutboxRow } from './notification-outbox.repository';

const LEASE_SECONDS = 60;
const MAX_BACKOFF_SECONDS = 3600;
const deliveryJobId = (id: string, attempt: number) => `notify:${id}:${attempt}`;

/**
 * Notifies a resident's emergency contacts through a durable outbox: the row commits with the
 * escalation, a delayed job wakes each try (exponential backoff), a sweep catches lost wake-ups,
 * and every try lands on the alert's audit timeline. `failed` fires once all tries are spent.
 */
@Injectable()
export class NotificationOutboxService implements OnModuleInit, OnApplicationBootstrap {
  readonly signals = new EventEmitter<{ failed: [alertId: string] }>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly log: Logger,
    private readonly outbox: NotificationOutboxRepository,
    private readonly audit: AuditService,
    private readonly jobs: JobsService,
  ) {}

  onModuleInit(): void {
    this.jobs.handle('deliver-notification', ({ outboxId }) => this.deliver(outboxId));
    this.jobs.handle('notification-sweep', () => this.sweep());
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.jobs.schedule('notification-sweep', {}, { schedulerId: 'notification-sweep', every: 30_000 });
  }

  /** Inside the escalation's transaction; call `wake` with the result after commit. */
  async enqueue(
    manager: EntityManager,
    alert: AlertView,
    contacts: EmergencyContact[],
    level: number,
  ): Promise<string | null> {
    const url = this.config.alerts.notifyWebhookUrl;
    this.log.warn(
      // How many, never who: contacts' names and numbers stay out of the log (issue 16, PIPL).
      { alertId: alert.id, kind: alert.kind, escalationLevel: level, contacts: contacts.length },
      'alert escalated: notifying emergency contacts',
    );
    const payload = { type: 'alert.escalated', escalationLevel: level, alert, contacts };
    const id = await this.outbox.insert(manager, {
      alertId: alert.id,
      orgUnitId: alert.orgUnitId,
      escalationLevel: level,
      payload,
      failedBecause: url ? undefined : 'no notification channel: ANXIN_NOTIFY_WEBHOOK_URL is not set',
    });
    if (id && !url) {
      await this.record(manager, alert.id, alert.orgUnitId, 'alert.notify_failed', {
        escalationLevel: level,
        attempts: 0,
        error: 'ANXIN_NOTIFY_WEBHOOK_URL is not set',
      });
      return null;
    }
    return id;
  }

  async wake(id: string | null, alertId: string): Promise<void> {
    if (id) await this.jobs.add('deliver-notification', { outboxId: id }, { jobId: deliveryJobId(id, 1) });
    else if (!this.config.alerts.notifyWebhookUrl) this.signals.emit('failed', alertId);
  }

  /** One try; a row that is not due, already sent or being tried elsewhere is left alone. */
  async deliver(outboxId: string): Promise<void> {
    const url = this.config.alerts.notifyWebhookUrl;
    if (!url) return;
    const row = await this.outbox.claim(outboxId, LEASE_SECONDS);
    if (!row) return;
    const body = JSON.stringify({
      id: row.id,
      attempt: row.attempts,
      sentAt: new Date().toISOString(),
      ...row.payload,
    });
    const result = await postWebhook(
      url,
      this.config.alerts.notifyWebhookSecret,
      { id: row.id, attempt: row.attempts },
      body,
    );
    if (result.ok) {
      await this.outbox.markSent(row.id);
      await this.recordTry(row, 'alert.notify_sent', {});
      return;
    }
    const max = this.config.alerts.notifyMaxAttempts;
    if (row.attempts >= max) {
      await this.outbox.markFailed(row.id, result.error);
      await this.recordTry(row, 'alert.notify_failed', { error: result.error });
      this.log.error({ alertId: row.alertId, attempts: row.attempts, error: result.error }, 'notification failed');
      this.signals.emit('failed', row.alertId);
      return;
    }
    const delay = Math.min(this.config.alerts.notifyRetrySeconds * 2 ** (row.attempts - 1), MAX_BACKOFF_SECONDS);
    await this.outbox.retryAt(row.id, result.error, delay);
    await this.recordTry(row, 'alert.notify_retry', { error: result.error, retryInSeconds: delay });
    await this.jobs.add(
      'deliver-notification',
      { outboxId: row.id },
      { jobId: deliveryJobId(row.id, row.attempts + 1), delayMs: delay * 1000 },
    );
  }

  /** Catches tries whose wake-up job was lost (a Redis flush, a crash before the job was added). */
  async sweep(): Promise<void> {
    for (const id of await this.outbox.listDue(50)) await this.deliver(id);
  }

  private recordTry(row: OutboxRow, action: string, detail: Record<string, unknown>) {
    return this.record(undefined, row.alertId, row.orgUnitId, action, {
      escalationLevel: row.escalationLevel,
      attempt: row.attempts,
      maxAttempts: this.config.alerts.notifyMaxAttempts,
      ...detail,
    });
  }

  private record(
    manager: EntityManager | undefined,
    alertId: string,
    orgUnitId: string | null,
    action: string,
    detail: Record<string, unknown>,
  ) {
    return this.audit.record(
      { actor: null, action, subjectType: 'alert', subjectId: alertId, orgUnitId, detail },
      manager,
    );
  }
}

import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import type { RetentionSettings } from '@anxin/contract';
import { AuditService } from '../audit/audit.service';
import type { Principal } from '../auth/principal';
import type { DeploymentTask } from '../jobs/deployment-task';
import { DeploymentTasks } from '../jobs/deployment-tasks.service';
import { LOGGER } from '../logging/logger';
import { RetentionRepository } from './retention.repository';

/** The order pruning goes in: orders before alerts (an order points at its alert), the audit log last. */
const PRUNED_IN_ORDER: (keyof RetentionSettings)[] = ['deviceEventsDays', 'ordersDays', 'alertsDays', 'auditLogDays'];

/**
 * Issue 16: how long device events, closed alerts and orders, and the audit log are kept, set by an
 * admin and kept in the database; pruned hourly once across the deployment (deployment-task.ts), never
 * by each process.
 */
@Injectable()
export class RetentionService implements OnModuleInit, OnApplicationShutdown {
  private pruning: DeploymentTask | null = null;

  constructor(
    private readonly db: DataSource,
    private readonly retention: RetentionRepository,
    private readonly audit: AuditService,
    private readonly deploymentTasks: DeploymentTasks,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  onModuleInit(): void {
    this.pruning = this.deploymentTasks.every(
      'retention-prune',
      3600 * 1000,
      async () => void (await this.prune()),
      'retention prune failed',
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.pruning?.stop();
  }

  settings(): Promise<RetentionSettings> {
    return this.retention.settings();
  }

  update(principal: Principal, settings: RetentionSettings): Promise<RetentionSettings> {
    return this.db.transaction(async (manager) => {
      const before = await this.retention.settings(manager);
      const after = await this.retention.save(settings, manager);
      await this.audit.record(
        { actor: principal, action: 'settings.retention_update', subjectType: 'settings', detail: { before, after } },
        manager,
      );
      return after;
    });
  }

  /** One run: every kind with a retention set loses its rows older than that. Answers the counts. */
  async prune(): Promise<Partial<Record<keyof RetentionSettings, number>>> {
    const settings = await this.retention.settings();
    const removed: Partial<Record<keyof RetentionSettings, number>> = {};
    for (const kind of PRUNED_IN_ORDER) {
      const days = settings[kind];
      if (days !== null) removed[kind] = await this.retention.prune(kind, days);
    }
    if (Object.values(removed).some((n) => n > 0)) this.log.info({ removed }, 'pruned history past retention');
    return removed;
  }
}

import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { Principal } from '../auth/principal';
import { AuditEntryEntity } from './audit-entry.entity';

export interface AuditRecord {
  actor: Pick<Principal, 'userId' | 'username' | 'address'> | null;
  action: string;
  subjectType?: string;
  subjectId?: string;
  orgUnitId?: string | null;
  detail?: Record<string, unknown>;
  /** For actions without a principal (failed logins). */
  actorUsername?: string;
  address?: string | null;
}

export const LOGIN_FAILED = 'auth.login_failed';

@Injectable()
export class AuditService {
  constructor(private readonly db: DataSource) {}

  /** Pass the transaction's manager so the audit row commits or rolls back with the change. */
  async record(entry: AuditRecord, manager: EntityManager = this.db.manager): Promise<void> {
    await manager.insert(AuditEntryEntity, {
      actorId: entry.actor?.userId ?? null,
      actorUsername: entry.actor?.username ?? entry.actorUsername ?? null,
      action: entry.action,
      subjectType: entry.subjectType ?? null,
      subjectId: entry.subjectId ?? null,
      orgUnitId: entry.orgUnitId ?? null,
      address: entry.actor?.address ?? entry.address ?? null,
      detail: (entry.detail ?? null) as never,
    });
  }

  async listRecent(filter: {
    limit: number;
    offset: number;
    action?: string;
    subjectId?: string;
  }): Promise<{ items: AuditEntryEntity[]; total: number }> {
    const qb = this.db.getRepository(AuditEntryEntity).createQueryBuilder('a').orderBy('a.at', 'DESC');
    if (filter.action) qb.andWhere('a.action = :action', { action: filter.action });
    if (filter.subjectId) qb.andWhere('a.subject_id = :subjectId', { subjectId: filter.subjectId });
    const [items, total] = await qb.take(filter.limit).skip(filter.offset).getManyAndCount();
    return { items, total };
  }
}

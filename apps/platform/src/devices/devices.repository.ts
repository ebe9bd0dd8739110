import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager, In } from 'typeorm';
import type { DeviceType } from '@anxin/contract';
import { applyOrgScope, type OrgScope } from '../org-units/org-scope';
import { DeviceEntity } from './device.entity';

export interface DeviceListFilter {
  limit: number;
  offset: number;
  type?: DeviceType;
  residentId?: string;
  online?: boolean;
  enabled?: boolean;
  rejecting?: boolean;
  /** Battery at or below this percentage (the maintenance page's low-battery list). */
  batteryAtMost?: number;
}

@Injectable()
export class DevicesRepository {
  constructor(private readonly db: DataSource) {}

  private query(scope: OrgScope) {
    return applyOrgScope(this.db.getRepository(DeviceEntity).createQueryBuilder('d'), 'd.org_unit_id', scope);
  }

  findInScope(scope: OrgScope, id: string): Promise<DeviceEntity | null> {
    return this.query(scope).andWhere('d.id = :id', { id }).getOne();
  }

  /** For the broker: any device by id, scoping does not apply to a device's own connection. */
  findByIds(ids: string[]): Promise<DeviceEntity[]> {
    return this.db.getRepository(DeviceEntity).findBy({ id: In(ids) });
  }

  listInScope(scope: OrgScope, filter: DeviceListFilter): Promise<[DeviceEntity[], number]> {
    const qb = this.query(scope).orderBy('d.created_at', 'ASC').addOrderBy('d.id', 'ASC');
    if (filter.type) qb.andWhere('d.type = :type', { type: filter.type });
    if (filter.residentId) qb.andWhere('d.resident_id = :residentId', { residentId: filter.residentId });
    if (filter.online !== undefined) qb.andWhere('d.online = :online', { online: filter.online });
    if (filter.enabled !== undefined) qb.andWhere('d.enabled = :enabled', { enabled: filter.enabled });
    if (filter.rejecting) qb.andWhere('d.rejected_messages > 0');
    if (filter.batteryAtMost !== undefined) qb.andWhere('d.battery <= :battery', { battery: filter.batteryAtMost });
    return qb.take(filter.limit).skip(filter.offset).getManyAndCount();
  }

  /** `type/serial` of devices already registered with one of these serials. */
  async takenSerials(serials: string[]): Promise<Set<string>> {
    if (serials.length === 0) return new Set();
    const rows = await this.db.query<{ key: string }[]>(
      `SELECT type || '/' || serial AS key FROM devices WHERE serial = ANY($1::text[])`,
      [serials],
    );
    return new Set(rows.map((r) => r.key));
  }

  async insert(device: Partial<DeviceEntity>, manager: EntityManager): Promise<DeviceEntity> {
    const result = await manager.insert(DeviceEntity, device);
    return manager.findOneByOrFail(DeviceEntity, { id: (result.identifiers[0] as { id: string }).id });
  }

  async update(id: string, changes: Partial<DeviceEntity>, manager: EntityManager): Promise<DeviceEntity> {
    await manager.update(DeviceEntity, { id }, changes);
    return manager.findOneByOrFail(DeviceEntity, { id });
  }
}

import type { ResidentInput } from './resident-import';
import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { DegradedDevice } from '@anxin/contract';
import { degradedDevicesSql } from '../devices/device-protection.util';
import { applyOrgScope, type OrgScope } from '../org-units/org-scope';
import { ResidentEntity } from './resident.entity';

export interface ResidentListFilter {
  limit: number;
  offset: number;
  orgUnitId?: string;
  q?: string;
}

@Injectable()
export class ResidentsRepository {
  constructor(private readonly db: DataSource) {}

  private query(scope: OrgScope, manager: EntityManager = this.db.manager) {
    return applyOrgScope(manager.getRepository(ResidentEntity).createQueryBuilder('r'), 'r.org_unit_id', scope);
  }

  async refsInScope(scope: OrgScope): Promise<{ id: string; name: string; unitName: string; orgUnitId: string }[]> {
    const rows = await this.query(scope)
      .innerJoin('org_units', 'u', 'u.id = r.org_unit_id')
      .select(['r.id AS id', 'r.name AS name', 'u.name AS "unitName"', 'r.org_unit_id AS "orgUnitId"'])
      .getRawMany<{ id: string; name: string; unitName: string; orgUnitId: string }>();
    return rows;
  }

  findInScope(scope: OrgScope, id: string, manager?: EntityManager): Promise<ResidentEntity | null> {
    return this.query(scope, manager).andWhere('r.id = :id', { id }).getOne();
  }

  listInScope(scope: OrgScope, filter: ResidentListFilter): Promise<[ResidentEntity[], number]> {
    const qb = this.query(scope).orderBy('r.name', 'ASC').addOrderBy('r.id', 'ASC');
    if (filter.orgUnitId) {
      qb.andWhere(
        "r.org_unit_id IN (SELECT id FROM org_units WHERE path LIKE (SELECT path FROM org_units WHERE id = :unit) || '%')",
        {
          unit: filter.orgUnitId,
        },
      );
    }
    if (filter.q)
      qb.andWhere('(r.name ILIKE :q OR r.address ILIKE :q)', { q: `%${filter.q.replace(/[%_\\]/g, '\\$&')}%` });
    return qb.take(filter.limit).skip(filter.offset).getManyAndCount();
  }

  /** The degraded safety devices of each resident (issue 11, 防护降级); callers pass ids already scoped. */
  async degradedDevicesOf(residentIds: string[]): Promise<Map<string, DegradedDevice[]>> {
    if (residentIds.length === 0) return new Map();
    const rows = await this.db.query<{ id: string; devices: DegradedDevice[] }[]>(
      `SELECT r.id, ${degradedDevicesSql('r.id')} AS devices FROM unnest($1::uuid[]) AS r(id)`,
      [residentIds],
    );
    return new Map(rows.map((r) => [r.id, r.devices]));
  }

  async insert(resident: Partial<ResidentEntity>, manager: EntityManager): Promise<ResidentEntity> {
    const result = await manager.insert(ResidentEntity, resident);
    return manager.findOneByOrFail(ResidentEntity, { id: (result.identifiers[0] as { id: string }).id });
  }

  /** Many residents in one statement (the import): column arrays unnested server-side. */
  async insertMany(inputs: ResidentInput[], manager: EntityManager): Promise<void> {
    await manager.query(
      `INSERT INTO residents (name, org_unit_id, address, birth_date, phone, emergency_contacts)
       SELECT * FROM unnest($1::text[], $2::uuid[], $3::text[], $4::date[], $5::text[], $6::jsonb[])`,
      [
        inputs.map((r) => r.name),
        inputs.map((r) => r.orgUnitId),
        inputs.map((r) => r.address ?? null),
        inputs.map((r) => r.birthDate ?? null),
        inputs.map((r) => r.phone ?? null),
        inputs.map((r) => JSON.stringify(r.emergencyContacts ?? [])),
      ],
    );
  }

  /**
   * Locks the resident's row for a change and says whether it may still hold personal data: an erasure
   * running meanwhile is waited for, so a form saved during it cannot write the data back.
   */
  async lockUnlessErased(manager: EntityManager, id: string): Promise<boolean> {
    const rows = await manager.query<{ erased: boolean }[]>(
      `SELECT erased_at IS NOT NULL AS erased FROM residents WHERE id = $1 FOR UPDATE`,
      [id],
    );
    return rows[0]?.erased === false;
  }

  async update(id: string, changes: Partial<ResidentEntity>, manager: EntityManager): Promise<ResidentEntity> {
    await manager.update(ResidentEntity, { id }, changes);
    // Devices carry their resident's unit for scoping; keep them in step.
    if (changes.orgUnitId)
      await manager.query(`UPDATE devices SET org_unit_id = $1 WHERE resident_id = $2`, [changes.orgUnitId, id]);
    return manager.findOneByOrFail(ResidentEntity, { id });
  }
}

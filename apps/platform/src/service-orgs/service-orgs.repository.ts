import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { ServiceOrgKind } from '@anxin/contract';
import type { OrgScope } from '../org-units/org-scope';

export interface ServiceOrgRow {
  id: string;
  name: string;
  kind: ServiceOrgKind;
  orgUnitIds: string[];
}

/** How far a service organisation reaches, seen from one scope. */
export interface ServiceOrgReach {
  /** It serves at least one unit in the scope (so the caller may know it exists). */
  servesInScope: boolean;
  /** It serves a unit outside the scope (so the caller may not enlist or manage its caregivers). */
  servesOutsideScope: boolean;
}

/** `$n` is the scope's path prefix; a unit is in scope when its path starts with it. */
const inScope = (unitAlias: string, param: string) => `${unitAlias}.path LIKE ${param}`;

@Injectable()
export class ServiceOrgsRepository {
  constructor(private readonly db: DataSource) {}

  async insert(
    manager: EntityManager,
    org: { name: string; kind: ServiceOrgKind; orgUnitIds: string[] },
  ): Promise<ServiceOrgRow> {
    const [row] = await manager.query<Omit<ServiceOrgRow, 'orgUnitIds'>[]>(
      `INSERT INTO service_orgs (name, kind) VALUES ($1, $2) RETURNING id, name, kind`,
      [org.name, org.kind],
    );
    await manager.query(`INSERT INTO service_org_units (service_org_id, org_unit_id) SELECT $1, unnest($2::uuid[])`, [
      row!.id,
      org.orgUnitIds,
    ]);
    return { ...row!, orgUnitIds: org.orgUnitIds };
  }

  /** Organisations serving a unit in the scope, each with only the units of the scope it serves. */
  listInScope(scope: OrgScope): Promise<(ServiceOrgRow & Pick<ServiceOrgReach, 'servesOutsideScope'>)[]> {
    const prefix = scope.kind === 'all' ? '%' : `${scope.path}%`;
    return this.db.query(
      `SELECT s.id, s.name, s.kind,
              array_agg(su.org_unit_id ORDER BY u.path) FILTER (WHERE ${inScope('u', '$1')}) AS "orgUnitIds",
              bool_or(NOT ${inScope('u', '$1')}) AS "servesOutsideScope"
       FROM service_orgs s JOIN service_org_units su ON su.service_org_id = s.id JOIN org_units u ON u.id = su.org_unit_id
       GROUP BY s.id HAVING bool_or(${inScope('u', '$1')}) ORDER BY s.name, s.id`,
      [prefix],
    );
  }

  /** Null when the organisation does not exist. */
  async findReach(scope: OrgScope, id: string): Promise<ServiceOrgReach | null> {
    const prefix = scope.kind === 'all' ? '%' : `${scope.path}%`;
    const rows = await this.db.query<ServiceOrgReach[]>(
      `SELECT coalesce(bool_or(${inScope('u', '$2')}), false) AS "servesInScope",
              coalesce(bool_or(NOT ${inScope('u', '$2')}), false) AS "servesOutsideScope"
       FROM service_orgs s LEFT JOIN service_org_units su ON su.service_org_id = s.id
            LEFT JOIN org_units u ON u.id = su.org_unit_id
       WHERE s.id = $1 GROUP BY s.id`,
      [id, prefix],
    );
    return rows[0] ?? null;
  }
}

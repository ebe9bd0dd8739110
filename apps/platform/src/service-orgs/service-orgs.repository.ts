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

/** An organisation as a scope sees it: only the units of the scope it serves, and its caregivers in the scope. */
export type ServiceOrgInScope = ServiceOrgRow & Pick<ServiceOrgReach, 'servesOutsideScope'> & { memberCount: number };

/** A caregiver enlisted in an organisation, as its members panel shows it. */
export interface ServiceOrgMember {
  id: string;
  username: string;
  displayName: string | null;
  orgUnitId: string;
  onDuty: boolean;
  disabled: boolean;
  skills: string[];
}

/** `$n` is the scope's path prefix; a unit is in scope when its path starts with it. */
const inScope = (unitAlias: string, param: string) => `${unitAlias}.path LIKE ${param}`;
const scopePrefix = (scope: OrgScope) => (scope.kind === 'all' ? '%' : `${scope.path}%`);

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
    await this.insertUnits(manager, row!.id, org.orgUnitIds);
    return { ...row!, orgUnitIds: org.orgUnitIds };
  }

  /** Changes what is given; a new unit list replaces the old one. */
  async update(
    manager: EntityManager,
    id: string,
    changes: { name?: string; kind?: ServiceOrgKind; orgUnitIds?: string[] },
  ): Promise<void> {
    if (changes.name !== undefined || changes.kind !== undefined)
      await manager.query(
        `UPDATE service_orgs SET name = coalesce($2, name), kind = coalesce($3, kind) WHERE id = $1`,
        [id, changes.name ?? null, changes.kind ?? null],
      );
    if (changes.orgUnitIds) {
      await manager.query(`DELETE FROM service_org_units WHERE service_org_id = $1`, [id]);
      await this.insertUnits(manager, id, changes.orgUnitIds);
    }
  }

  private async insertUnits(manager: EntityManager, id: string, orgUnitIds: string[]): Promise<void> {
    await manager.query(`INSERT INTO service_org_units (service_org_id, org_unit_id) SELECT $1, unnest($2::uuid[])`, [
      id,
      orgUnitIds,
    ]);
  }

  /** Organisations serving a unit in the scope, each with only the units of the scope it serves. */
  listInScope(scope: OrgScope): Promise<ServiceOrgInScope[]> {
    return this.selectInScope(scope, null);
  }

  /** One organisation as `listInScope` shows it; null when it does not exist or serves nothing in the scope. */
  async findInScope(scope: OrgScope, id: string): Promise<ServiceOrgInScope | null> {
    return (await this.selectInScope(scope, id))[0] ?? null;
  }

  private selectInScope(scope: OrgScope, id: string | null): Promise<ServiceOrgInScope[]> {
    // Members are counted as the users list would show them: caregivers whose own unit is in the scope.
    return this.db.query(
      `SELECT s.id, s.name, s.kind,
              array_agg(su.org_unit_id ORDER BY u.path) FILTER (WHERE ${inScope('u', '$1')}) AS "orgUnitIds",
              bool_or(NOT ${inScope('u', '$1')}) AS "servesOutsideScope",
              (SELECT count(*)::int FROM users m JOIN org_units mu ON mu.id = m.org_unit_id
               WHERE m.service_org_id = s.id AND m.role = 'caregiver' AND ${inScope('mu', '$1')}) AS "memberCount"
       FROM service_orgs s JOIN service_org_units su ON su.service_org_id = s.id JOIN org_units u ON u.id = su.org_unit_id
       WHERE ($2::uuid IS NULL OR s.id = $2)
       GROUP BY s.id HAVING bool_or(${inScope('u', '$1')}) ORDER BY s.name, s.id`,
      [scopePrefix(scope), id],
    );
  }

  /** The organisation's caregivers whose own unit is in the scope, by name. */
  listMembersInScope(scope: OrgScope, id: string): Promise<ServiceOrgMember[]> {
    return this.db.query(
      `SELECT m.id, m.username, m.display_name AS "displayName", m.org_unit_id AS "orgUnitId",
              m.on_duty AS "onDuty", m.disabled, m.skills
       FROM users m JOIN org_units mu ON mu.id = m.org_unit_id
       WHERE m.service_org_id = $1 AND m.role = 'caregiver' AND ${inScope('mu', '$2')}
       ORDER BY coalesce(m.display_name, m.username), m.id`,
      [id, scopePrefix(scope)],
    );
  }

  /** Null when the organisation does not exist. */
  async findReach(scope: OrgScope, id: string): Promise<ServiceOrgReach | null> {
    const rows = await this.db.query<ServiceOrgReach[]>(
      `SELECT coalesce(bool_or(${inScope('u', '$2')}), false) AS "servesInScope",
              coalesce(bool_or(NOT ${inScope('u', '$2')}), false) AS "servesOutsideScope"
       FROM service_orgs s LEFT JOIN service_org_units su ON su.service_org_id = s.id
            LEFT JOIN org_units u ON u.id = su.org_unit_id
       WHERE s.id = $1 GROUP BY s.id`,
      [id, scopePrefix(scope)],
    );
    return rows[0] ?? null;
  }
}

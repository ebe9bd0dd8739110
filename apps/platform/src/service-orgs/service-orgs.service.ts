import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { ServiceOrgKind } from '@anxin/contract';
import { AuditService } from '../audit/audit.service';
import type { Principal } from '../auth/principal';
import { AppError, notFound } from '../errors/app.errors';
import type { OrgScope } from '../org-units/org-scope';
import { OrgUnitsService } from '../org-units/org-units.service';
import { type ServiceOrgInScope, type ServiceOrgMember, ServiceOrgsRepository } from './service-orgs.repository';

interface ServiceOrgInput {
  name: string;
  kind: ServiceOrgKind;
  orgUnitIds: string[];
}

/**
 * Service organisations and their reach. A caregiver of an organisation receives the orders of every
 * unit it serves, so enlisting or managing one is allowed only to a caller whose scope covers all of
 * them (issue 12 item 2): otherwise station A could enlist a caregiver into B's orders.
 */
@Injectable()
export class ServiceOrgsService {
  constructor(
    private readonly db: DataSource,
    private readonly orgs: ServiceOrgsRepository,
    private readonly orgUnits: OrgUnitsService,
    private readonly audit: AuditService,
  ) {}

  list(principal: Principal) {
    return this.orgs.listInScope(principal.scope);
  }

  /** Not found when it serves no unit of the caller's scope (its existence does not leak). */
  async get(principal: Principal, id: string): Promise<ServiceOrgInScope> {
    const org = await this.orgs.findInScope(principal.scope, id);
    if (!org) throw notFound(`service org ${id}`);
    return org;
  }

  /** Its caregivers the caller may see (as in the users list), for any organisation the caller may see. */
  async members(principal: Principal, id: string): Promise<ServiceOrgMember[]> {
    await this.get(principal, id);
    return this.orgs.listMembersInScope(principal.scope, id);
  }

  async create(principal: Principal, input: ServiceOrgInput) {
    await this.requireUnitsInScope(principal.scope, input.orgUnitIds);
    return this.db.transaction(async (manager) => {
      const org = await this.orgs.insert(manager, input);
      await this.audit.record(
        {
          actor: principal,
          action: 'service_org.create',
          subjectType: 'service_org',
          subjectId: org.id,
          detail: { orgUnitIds: org.orgUnitIds },
        },
        manager,
      );
      return org;
    });
  }

  /** Only an organisation wholly in the caller's scope, and only onto units in it (the same rule as enlisting). */
  async update(principal: Principal, id: string, input: Partial<ServiceOrgInput>): Promise<ServiceOrgInScope> {
    await this.requireWithinScope(principal.scope, id, 'id');
    if (input.orgUnitIds) await this.requireUnitsInScope(principal.scope, input.orgUnitIds);
    const before = await this.get(principal, id);
    await this.db.transaction(async (manager) => {
      await this.orgs.update(manager, id, input);
      await this.audit.record(
        {
          actor: principal,
          action: 'service_org.update',
          subjectType: 'service_org',
          subjectId: id,
          detail: {
            changed: Object.keys(input),
            before: { name: before.name, kind: before.kind, orgUnitIds: before.orgUnitIds },
            after: input,
          },
        },
        manager,
      );
    });
    return this.get(principal, id);
  }

  private async requireUnitsInScope(scope: OrgScope, orgUnitIds: string[]): Promise<void> {
    for (const unitId of orgUnitIds)
      await this.orgUnits.requireInScope(scope, unitId).catch((error: unknown) => {
        throw error instanceof AppError ? new AppError(error.code, `orgUnitIds: ${error.message}`) : error;
      });
  }

  /**
   * Throws unless every unit the organisation serves is in the scope: not found when it serves none
   * of them (its existence does not leak), forbidden when it also serves units outside.
   */
  async requireWithinScope(scope: OrgScope, id: string, field: string): Promise<void> {
    const reach = await this.orgs.findReach(scope, id);
    if (!reach || (scope.kind !== 'all' && !reach.servesInScope)) throw notFound(`${field}: service org ${id}`);
    if (reach.servesOutsideScope)
      throw new AppError('forbidden', `${field}: service org ${id} also serves units outside your org unit`);
  }
}

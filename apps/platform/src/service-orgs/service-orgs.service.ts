import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { ServiceOrgKind } from '@anxin/contract';
import { AuditService } from '../audit/audit.service';
import type { Principal } from '../auth/principal';
import { AppError, notFound } from '../errors/app.errors';
import type { OrgScope } from '../org-units/org-scope';
import { OrgUnitsService } from '../org-units/org-units.service';
import { ServiceOrgsRepository } from './service-orgs.repository';

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

  async create(principal: Principal, input: { name: string; kind: ServiceOrgKind; orgUnitIds: string[] }) {
    for (const unitId of input.orgUnitIds) await this.orgUnits.requireInScope(principal.scope, unitId);
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

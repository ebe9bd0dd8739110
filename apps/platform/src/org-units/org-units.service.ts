import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { z } from 'zod';
import type { createOrgUnitSchema, OrgUnitKind } from '@anxin/contract';
import { AuditService } from '../audit/audit.service';
import type { Principal } from '../auth/principal';
import { AppError, notFound } from '../errors/app.errors';
import type { OrgScope } from './org-scope';
import type { OrgUnitEntity } from './org-unit.entity';
import { OrgUnitsRepository } from './org-units.repository';

const RANK: Record<OrgUnitKind, number> = { center: 0, station: 1, community: 2 };

@Injectable()
export class OrgUnitsService {
  constructor(
    private readonly db: DataSource,
    private readonly units: OrgUnitsRepository,
    private readonly audit: AuditService,
  ) {}

  /** Throws not-found for a unit outside the scope, so existence does not leak. */
  async requireInScope(scope: OrgScope, id: string): Promise<OrgUnitEntity> {
    const unit = await this.units.findInScope(scope, id);
    if (!unit) throw notFound(`org unit ${id}`);
    return unit;
  }

  list(principal: Principal): Promise<OrgUnitEntity[]> {
    return this.units.listInScope(principal.scope);
  }

  async create(principal: Principal, input: z.infer<typeof createOrgUnitSchema>): Promise<OrgUnitEntity> {
    const id = randomUUID();
    let path = `/${id}/`;
    if (input.parentId) {
      const parent = await this.requireInScope(principal.scope, input.parentId);
      if (RANK[input.kind] <= RANK[parent.kind]) {
        throw new AppError('invalid_input', `kind: a ${input.kind} cannot be placed under a ${parent.kind}`);
      }
      path = `${parent.path}${id}/`;
    } else if (principal.scope.kind !== 'all') {
      throw new AppError('forbidden', 'parentId: only an admin may create a top-level org unit');
    } else if (input.kind !== 'center') {
      throw new AppError('invalid_input', 'parentId: a station or community needs a parent');
    }
    return this.db.transaction(async (manager) => {
      const unit = await this.units.insert(
        { id, name: input.name, kind: input.kind, parentId: input.parentId ?? null, path },
        manager,
      );
      await this.audit.record(
        { actor: principal, action: 'org_unit.create', subjectType: 'org_unit', subjectId: id, orgUnitId: id },
        manager,
      );
      return unit;
    });
  }

  async rename(principal: Principal, id: string, name: string): Promise<OrgUnitEntity> {
    const unit = await this.requireInScope(principal.scope, id);
    await this.db.transaction(async (manager) => {
      await this.units.rename(id, name, manager);
      await this.audit.record(
        {
          actor: principal,
          action: 'org_unit.update',
          subjectType: 'org_unit',
          subjectId: id,
          orgUnitId: id,
          detail: { name },
        },
        manager,
      );
    });
    return { ...unit, name };
  }

  /** Bootstrap (CONTRACT §1): the first start creates a root centre for the admin. */
  async createRootCenter(name: string, manager = this.db.manager): Promise<OrgUnitEntity> {
    const id = randomUUID();
    return this.units.insert({ id, name, kind: 'center', parentId: null, path: `/${id}/` }, manager);
  }
}

import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { z } from 'zod';
import type { createResidentSchema, updateResidentSchema } from '@anxin/contract';
import { AuditService } from '../audit/audit.service';
import type { Principal } from '../auth/principal';
import { notFound } from '../errors/app.errors';
import { OrgUnitsService } from '../org-units/org-units.service';
import type { OrgScope } from '../org-units/org-scope';
import type { ResidentEntity } from './resident.entity';
import { type ResidentListFilter, ResidentsRepository } from './residents.repository';

@Injectable()
export class ResidentsService {
  constructor(
    private readonly db: DataSource,
    private readonly residents: ResidentsRepository,
    private readonly orgUnits: OrgUnitsService,
    private readonly audit: AuditService,
  ) {}

  async requireInScope(scope: OrgScope, id: string): Promise<ResidentEntity> {
    const resident = await this.residents.findInScope(scope, id);
    if (!resident) throw notFound(`resident ${id}`);
    return resident;
  }

  list(principal: Principal, filter: ResidentListFilter): Promise<[ResidentEntity[], number]> {
    return this.residents.listInScope(principal.scope, filter);
  }

  async create(principal: Principal, input: z.infer<typeof createResidentSchema>): Promise<ResidentEntity> {
    await this.orgUnits.requireInScope(principal.scope, input.orgUnitId);
    return this.db.transaction(async (manager) => {
      const resident = await this.residents.insert(
        {
          name: input.name,
          orgUnitId: input.orgUnitId,
          address: input.address ?? null,
          birthDate: input.birthDate ?? null,
          phone: input.phone ?? null,
          emergencyContacts: input.emergencyContacts ?? [],
          careProfile: input.careProfile ?? {},
        },
        manager,
      );
      await this.audit.record(
        {
          actor: principal,
          action: 'resident.create',
          subjectType: 'resident',
          subjectId: resident.id,
          orgUnitId: resident.orgUnitId,
        },
        manager,
      );
      return resident;
    });
  }

  async update(principal: Principal, id: string, input: z.infer<typeof updateResidentSchema>): Promise<ResidentEntity> {
    await this.requireInScope(principal.scope, id);
    if (input.orgUnitId) await this.orgUnits.requireInScope(principal.scope, input.orgUnitId);
    return this.db.transaction(async (manager) => {
      const resident = await this.residents.update(id, { ...input }, manager);
      await this.audit.record(
        {
          actor: principal,
          action: 'resident.update',
          subjectType: 'resident',
          subjectId: id,
          orgUnitId: resident.orgUnitId,
          detail: { changed: Object.keys(input) },
        },
        manager,
      );
      return resident;
    });
  }
}

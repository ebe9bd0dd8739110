import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { z } from 'zod';
import type { createOrgUnitSchema, OrgUnitKind, updateOrgUnitSchema } from '@anxin/contract';
import { AuditService } from '../audit/audit.service';
import type { Principal } from '../auth/principal';
import { AppError, notFound } from '../errors/app.errors';
import type { OrgScope } from './org-scope';
import { OrgUnitEntity } from './org-unit.entity';
import { notifyOrgUnitMoved } from './org-unit-changes';
import { OrgUnitsRepository } from './org-units.repository';

const RANK: Record<OrgUnitKind, number> = { center: 0, station: 1, community: 2 };

/** The units above `id` on a materialised path `/root/…/id/`. */
const ancestorIds = (path: string, id: string) => path.split('/').filter((p) => p && p !== id);

const deactivated = (field: string, name: string) =>
  new AppError('conflict', `${field}: org unit ${name} is deactivated`);

@Injectable()
export class OrgUnitsService {
  constructor(
    private readonly db: DataSource,
    private readonly units: OrgUnitsRepository,
    private readonly audit: AuditService,
  ) {}

  /** Throws not-found for a unit outside the scope, so existence does not leak. */
  async requireInScope(scope: OrgScope, id: string, manager?: EntityManager): Promise<OrgUnitEntity> {
    const unit = await this.units.findInScope(scope, id, manager);
    if (!unit) throw notFound(`org unit ${id}`);
    return unit;
  }

  list(principal: Principal): Promise<OrgUnitEntity[]> {
    return this.units.listInScope(principal.scope);
  }

  async create(principal: Principal, input: z.infer<typeof createOrgUnitSchema>): Promise<OrgUnitEntity> {
    const id = randomUUID();
    if (!input.parentId && principal.scope.kind !== 'all') {
      throw new AppError('forbidden', 'parentId: only an admin may create a top-level org unit');
    } else if (!input.parentId && input.kind !== 'center') {
      throw new AppError('invalid_input', 'parentId: a station or community needs a parent');
    }
    return this.db.transaction(async (manager) => {
      let path = `/${id}/`;
      if (input.parentId) {
        // The parent is read under the tree lock: a move or deactivation running now finishes first, so the
        // new unit's path is never its parent's old place (which would scope it to the wrong station).
        await this.units.lockTree(manager);
        const parent = await this.requireActiveInScope(principal.scope, input.parentId, 'parentId', manager);
        if (RANK[input.kind] <= RANK[parent.kind]) {
          throw new AppError('invalid_input', `kind: a ${input.kind} cannot be placed under a ${parent.kind}`);
        }
        path = `${parent.path}${id}/`;
      }
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

  /** As requireInScope, for a parent about to receive a unit: a deactivated one is a 409 naming `field`. */
  async requireActiveInScope(
    scope: OrgScope,
    id: string,
    field = 'orgUnitId',
    manager?: EntityManager,
  ): Promise<OrgUnitEntity> {
    const unit = await this.requireInScope(scope, id, manager);
    if (!unit.active) throw deactivated(field, unit.name);
    return unit;
  }

  /**
   * In the transaction writing a resident or user into unit `id` (or re-enabling one there): a deactivated
   * unit is a 409 naming `field`. The unit stays share-locked until commit, so a deactivation running now
   * either finishes first (and this is refused) or waits and then counts what this wrote.
   */
  async requireActiveForWrite(manager: EntityManager, id: string, field = 'orgUnitId'): Promise<void> {
    const unit = await this.units.shareLock(id, manager);
    if (!unit) throw new AppError('not_found', `${field}: org unit ${id} not found`);
    if (!unit.active) throw deactivated(field, unit.name);
  }

  /**
   * Issue 16: rename, move and (de)activate, each audited, all in one transaction. Tree changes are
   * serialised (an advisory lock), so two crossing moves cannot make a cycle from what each read before.
   */
  async update(principal: Principal, id: string, input: z.infer<typeof updateOrgUnitSchema>): Promise<OrgUnitEntity> {
    await this.requireInScope(principal.scope, id);
    return this.db.transaction(async (manager) => {
      await this.units.lockTree(manager);
      // Read again under the lock: an earlier move may have changed the path.
      const current = await manager.findOneBy(OrgUnitEntity, { id });
      const [unit] = current ? await this.units.lockSubtree(current.path, manager) : [];
      if (!unit) throw notFound(`org unit ${id}`);
      const record = (action: string, detail: Record<string, unknown>) =>
        this.audit.record(
          { actor: principal, action, subjectType: 'org_unit', subjectId: id, orgUnitId: id, detail },
          manager,
        );
      if (input.name !== undefined && input.name !== unit.name) {
        await this.units.rename(id, input.name, manager);
        await record('org_unit.update', { name: input.name, previousName: unit.name });
      }
      if (input.parentId !== undefined && input.parentId !== unit.parentId) {
        await this.move(principal, unit, input.parentId, manager);
        await record('org_unit.move', { fromParentId: unit.parentId, toParentId: input.parentId });
      }
      if (input.active !== undefined && input.active !== unit.active) {
        // After a move the unit has a new path and parent: (de)activate what it is now.
        await this.setActive(await manager.findOneByOrFail(OrgUnitEntity, { id }), input.active, manager);
        await record(input.active ? 'org_unit.reactivate' : 'org_unit.deactivate', {});
      }
      return manager.findOneByOrFail(OrgUnitEntity, { id });
    });
  }

  private async move(
    principal: Principal,
    unit: OrgUnitEntity,
    parentId: string | null,
    manager: EntityManager,
  ): Promise<void> {
    let newPath = `/${unit.id}/`;
    if (parentId === null) {
      if (unit.kind !== 'center') throw new AppError('invalid_input', 'parentId: only a centre can be top-level');
    } else {
      const parent = await this.units.findInScope(principal.scope, parentId, manager);
      if (!parent) throw new AppError('not_found', `parentId: org unit ${parentId} not found`);
      if (parent.path.startsWith(unit.path)) {
        throw new AppError('invalid_input', 'parentId: a unit cannot be moved under itself or a unit below it');
      }
      if (RANK[unit.kind] <= RANK[parent.kind]) {
        throw new AppError('invalid_input', `parentId: a ${unit.kind} cannot be placed under a ${parent.kind}`);
      }
      if (!parent.active) throw deactivated('parentId', parent.name);
      newPath = `${parent.path}${unit.id}/`;
    }
    // Whose view changes: everyone in the moved subtree (their scope path), and the operators of the
    // ancestors it leaves or joins. Scoped queries read paths per request; these caches do not.
    const oldAncestors = ancestorIds(unit.path, unit.id);
    const newAncestors = ancestorIds(newPath, unit.id);
    const changed = [...oldAncestors, ...newAncestors].filter(
      (a) => !(oldAncestors.includes(a) && newAncestors.includes(a)),
    );
    await this.units.move(unit.id, parentId, unit.path, newPath, manager);
    await notifyOrgUnitMoved(manager, unit.id, await this.units.nonAdminUsersIn(newPath, changed, manager));
  }

  private async setActive(unit: OrgUnitEntity, active: boolean, manager: EntityManager): Promise<void> {
    if (active) {
      const parent = unit.parentId ? await manager.findOneBy(OrgUnitEntity, { id: unit.parentId }) : null;
      if (parent && !parent.active) {
        throw new AppError('conflict', `active: the parent unit ${parent.name} is deactivated; reactivate it first`);
      }
    } else {
      // A centre closing a station moves its residents and users elsewhere first; nothing is closed silently.
      const held = await this.units.countOccupants(unit.path, manager);
      if (held.residents > 0 || held.users > 0) {
        throw new AppError(
          'conflict',
          `active: ${unit.name} still holds ${held.residents} residents and ${held.users} enabled users; ` +
            'move them or disable the users first',
        );
      }
    }
    await this.units.setActive(unit, active, manager);
  }

  /** Bootstrap (CONTRACT §1): the first start creates a root centre for the admin. */
  async createRootCenter(name: string, manager = this.db.manager): Promise<OrgUnitEntity> {
    const id = randomUUID();
    return this.units.insert({ id, name, kind: 'center', parentId: null, path: `/${id}/` }, manager);
  }
}

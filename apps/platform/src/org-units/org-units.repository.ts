import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { applyOrgScope, type OrgScope } from './org-scope';
import { OrgUnitEntity } from './org-unit.entity';

@Injectable()
export class OrgUnitsRepository {
  constructor(private readonly db: DataSource) {}

  private query(scope: OrgScope, manager: EntityManager = this.db.manager) {
    return applyOrgScope(manager.getRepository(OrgUnitEntity).createQueryBuilder('u'), 'u.id', scope);
  }

  findInScope(scope: OrgScope, id: string): Promise<OrgUnitEntity | null> {
    return this.query(scope).andWhere('u.id = :id', { id }).getOne();
  }

  listInScope(scope: OrgScope): Promise<OrgUnitEntity[]> {
    return this.query(scope).orderBy('u.path', 'ASC').getMany();
  }

  findById(id: string): Promise<OrgUnitEntity | null> {
    return this.db.getRepository(OrgUnitEntity).findOneBy({ id });
  }

  async insert(unit: Pick<OrgUnitEntity, 'id' | 'name' | 'kind' | 'parentId' | 'path'>, manager: EntityManager) {
    await manager.insert(OrgUnitEntity, unit);
    return manager.findOneByOrFail(OrgUnitEntity, { id: unit.id });
  }

  async rename(id: string, name: string, manager: EntityManager): Promise<void> {
    await manager.update(OrgUnitEntity, { id }, { name });
  }
}

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

  findInScope(scope: OrgScope, id: string, manager?: EntityManager): Promise<OrgUnitEntity | null> {
    return this.query(scope, manager).andWhere('u.id = :id', { id }).getOne();
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

  /** Serialises changes to the tree's shape (moves, deactivations, new units) until the transaction ends. */
  async lockTree(manager: EntityManager): Promise<void> {
    await manager.query(`SELECT pg_advisory_xact_lock(hashtext('anxin_org_unit_tree'))`);
  }

  /**
   * The unit's name and whether it is active, share-locked until the transaction ends: a deactivation
   * (which locks its subtree for update) waits for this transaction, or this waits for it and reads its result.
   */
  async shareLock(id: string, manager: EntityManager): Promise<{ name: string; active: boolean } | undefined> {
    const [row] = await manager.query<{ name: string; active: boolean }[]>(
      `SELECT name, active FROM org_units WHERE id = $1 FOR SHARE`,
      [id],
    );
    return row;
  }

  /** The unit and everything under it, locked until the transaction ends (moves and deactivations queue). */
  async lockSubtree(path: string, manager: EntityManager): Promise<OrgUnitEntity[]> {
    return manager
      .getRepository(OrgUnitEntity)
      .createQueryBuilder('u')
      .setLock('pessimistic_write')
      .where('u.path LIKE :prefix', { prefix: `${path}%` })
      .orderBy('u.path', 'ASC')
      .getMany();
  }

  /** Re-roots the subtree at `newPath`: every path under the old prefix gets the new one, in one statement. */
  async move(id: string, parentId: string | null, oldPath: string, newPath: string, manager: EntityManager) {
    await manager.query(`UPDATE org_units SET path = $2 || substr(path, length($1) + 1) WHERE path LIKE $1 || '%'`, [
      oldPath,
      newPath,
    ]);
    await manager.update(OrgUnitEntity, { id }, { parentId });
  }

  /** Deactivating takes the whole subtree with it; reactivating restores this unit only. */
  async setActive(unit: Pick<OrgUnitEntity, 'id' | 'path'>, active: boolean, manager: EntityManager) {
    if (active) await manager.update(OrgUnitEntity, { id: unit.id }, { active });
    else await manager.query(`UPDATE org_units SET active = false WHERE path LIKE $1 || '%'`, [unit.path]);
  }

  /** Residents (not erased) and enabled users still in the subtree: a unit holding them cannot be closed. */
  async countOccupants(path: string, manager: EntityManager): Promise<{ residents: number; users: number }> {
    const [row] = await manager.query<{ residents: string; users: string }[]>(
      `WITH sub AS (SELECT id FROM org_units WHERE path LIKE $1 || '%')
       SELECT (SELECT count(*) FROM residents WHERE erased_at IS NULL AND org_unit_id IN (SELECT id FROM sub)) AS residents,
              (SELECT count(*) FROM users WHERE NOT disabled AND org_unit_id IN (SELECT id FROM sub)) AS users`,
      [path],
    );
    return { residents: Number(row?.residents ?? 0), users: Number(row?.users ?? 0) };
  }

  /** Non-admin users placed in the subtree at `path` or directly in one of `unitIds`. */
  async nonAdminUsersIn(path: string, unitIds: readonly string[], manager: EntityManager): Promise<string[]> {
    const rows = await manager.query<{ id: string }[]>(
      `SELECT u.id FROM users u JOIN org_units o ON o.id = u.org_unit_id
        WHERE u.role <> 'admin' AND (o.path LIKE $1 || '%' OR o.id = ANY($2::uuid[]))`,
      [path, unitIds],
    );
    return rows.map((r) => r.id);
  }
}

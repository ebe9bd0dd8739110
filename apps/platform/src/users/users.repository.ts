import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { Role } from '@anxin/contract';
import { applyOrgScope, type OrgScope } from '../org-units/org-scope';
import { UserEntity } from './user.entity';

export interface UserListFilter {
  limit: number;
  offset: number;
  role?: Role;
  orgUnitId?: string;
}

@Injectable()
export class UsersRepository {
  constructor(private readonly db: DataSource) {}

  private query(scope: OrgScope) {
    return applyOrgScope(this.db.getRepository(UserEntity).createQueryBuilder('u'), 'u.org_unit_id', scope);
  }

  findByUsername(username: string): Promise<UserEntity | null> {
    return this.db
      .getRepository(UserEntity)
      .createQueryBuilder('u')
      .where('lower(u.username) = lower(:username)', { username })
      .getOne();
  }

  /** The caller's own row with its unit's path, in one round trip per request. */
  async findActiveWithUnitPath(id: string): Promise<(UserEntity & { unitPath: string }) | null> {
    const rows = await this.db.query<(UserEntity & { unitPath: string })[]>(
      `SELECT u.id, u.username, u.role, u.org_unit_id AS "orgUnitId", o.path AS "unitPath",
              u.token_version AS "tokenVersion"
       FROM users u JOIN org_units o ON o.id = u.org_unit_id
       WHERE u.id = $1 AND NOT u.disabled`,
      [id],
    );
    return rows[0] ?? null;
  }

  findInScope(scope: OrgScope, id: string): Promise<UserEntity | null> {
    return this.query(scope).andWhere('u.id = :id', { id }).getOne();
  }

  listInScope(scope: OrgScope, filter: UserListFilter): Promise<[UserEntity[], number]> {
    const qb = this.query(scope).orderBy('u.username', 'ASC');
    if (filter.role) qb.andWhere('u.role = :role', { role: filter.role });
    if (filter.orgUnitId) qb.andWhere('u.org_unit_id = :unit', { unit: filter.orgUnitId });
    return qb.take(filter.limit).skip(filter.offset).getManyAndCount();
  }

  async insert(user: Partial<UserEntity>, manager: EntityManager): Promise<UserEntity> {
    const result = await manager.insert(UserEntity, user);
    return manager.findOneByOrFail(UserEntity, { id: (result.identifiers[0] as { id: string }).id });
  }

  async update(id: string, changes: Partial<UserEntity>, manager: EntityManager): Promise<UserEntity> {
    await manager.update(UserEntity, { id }, changes);
    return manager.findOneByOrFail(UserEntity, { id });
  }
}

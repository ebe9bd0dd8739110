import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { z } from 'zod';
import type { createUserSchema, Role, updateUserSchema } from '@anxin/contract';
import { AuditService } from '../audit/audit.service';
import { PasswordService } from '../auth/password.service';
import type { Principal } from '../auth/principal';
import { AppError, isUniqueViolation, notFound } from '../errors/app.errors';
import { OrgUnitsService } from '../org-units/org-units.service';
import { ServiceOrgsService } from '../service-orgs/service-orgs.service';
import type { UserEntity } from './user.entity';
import { revokeUserTokens } from './user-changes';
import { type UserListFilter, UsersRepository } from './users.repository';

export type UserView = Omit<UserEntity, 'passwordHash' | 'tokenVersion'>;

/** Only caregivers are dispatched, so only they work shifts. */
function requireShiftFits(role: Role, input: { shiftStart?: string | null; shiftWeekdays?: number[] }): void {
  if (role !== 'caregiver' && (input.shiftStart || input.shiftWeekdays?.length))
    throw new AppError('invalid_input', 'shiftStart: only caregivers work shifts');
}

/** The shift columns a create or update sets: start and end come together (the schema checks); no shift, no weekdays. */
function shiftChanges(input: {
  shiftStart?: string | null;
  shiftEnd?: string | null;
  shiftWeekdays?: number[];
}): Partial<UserEntity> {
  const changes: Partial<UserEntity> = {};
  if (input.shiftStart !== undefined) {
    changes.shiftStart = input.shiftStart;
    changes.shiftEnd = input.shiftEnd ?? null;
    if (input.shiftStart === null) changes.shiftWeekdays = [];
  }
  if (input.shiftWeekdays !== undefined && input.shiftStart !== null) changes.shiftWeekdays = input.shiftWeekdays;
  return changes;
}

export function toUserView(user: UserEntity): UserView {
  const { passwordHash: _hidden, tokenVersion: _version, ...view } = user;
  return view;
}

@Injectable()
export class UsersService {
  constructor(
    private readonly db: DataSource,
    private readonly users: UsersRepository,
    private readonly orgUnits: OrgUnitsService,
    private readonly audit: AuditService,
    private readonly passwords: PasswordService,
    private readonly serviceOrgs: ServiceOrgsService,
  ) {}

  findByUsername(username: string): Promise<UserEntity | null> {
    return this.users.findByUsername(username);
  }

  findActiveWithUnitPath(id: string) {
    return this.users.findActiveWithUnitPath(id);
  }

  async create(principal: Principal, input: z.infer<typeof createUserSchema>): Promise<UserView> {
    // Operators may add caregivers to their own units; everything else is an admin's job.
    if (principal.role !== 'admin' && input.role !== 'caregiver') {
      throw new AppError('forbidden', `role: an operator may only create caregivers`);
    }
    requireShiftFits(input.role, input);
    await this.orgUnits.requireInScope(principal.scope, input.orgUnitId);
    if (input.serviceOrgId)
      await this.serviceOrgs.requireWithinScope(principal.scope, input.serviceOrgId, 'serviceOrgId');
    const passwordHash = await this.passwords.hash(input.password);
    try {
      return await this.db.transaction(async (manager) => {
        await this.orgUnits.requireActiveForWrite(manager, input.orgUnitId);
        const user = await this.users.insert(
          {
            username: input.username,
            passwordHash,
            role: input.role,
            orgUnitId: input.orgUnitId,
            displayName: input.displayName ?? null,
            skills: input.skills ?? [],
            serviceOrgId: input.serviceOrgId ?? null,
            ...shiftChanges(input),
          },
          manager,
        );
        await this.audit.record(
          {
            actor: principal,
            action: 'user.create',
            subjectType: 'user',
            subjectId: user.id,
            orgUnitId: user.orgUnitId,
            detail: { username: user.username, role: user.role },
          },
          manager,
        );
        return toUserView(user);
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw new AppError('conflict', `username: "${input.username}" is already taken`);
      throw error;
    }
  }

  async list(principal: Principal, filter: UserListFilter): Promise<[UserView[], number]> {
    const [users, total] = await this.users.listInScope(principal.scope, filter);
    return [users.map(toUserView), total];
  }

  async get(principal: Principal, id: string): Promise<UserView> {
    if (principal.role === 'caregiver' && id !== principal.userId) throw notFound(`user ${id}`);
    const user = await this.users.findInScope(principal.scope, id);
    if (!user) throw notFound(`user ${id}`);
    return toUserView(user);
  }

  async update(principal: Principal, id: string, input: z.infer<typeof updateUserSchema>): Promise<UserView> {
    const existing = await this.users.findInScope(principal.scope, id);
    if (!existing) throw notFound(`user ${id}`);
    if (principal.role !== 'admin' && existing.role !== 'caregiver') {
      throw new AppError('forbidden', 'an operator may only change caregivers');
    }
    requireShiftFits(existing.role, input);
    // Issue 12 item 2: a caregiver serving units beyond the operator's (through its organisation) is not its to manage.
    if (existing.serviceOrgId)
      await this.serviceOrgs.requireWithinScope(principal.scope, existing.serviceOrgId, 'serviceOrgId');
    if (input.serviceOrgId)
      await this.serviceOrgs.requireWithinScope(principal.scope, input.serviceOrgId, 'serviceOrgId');
    if (input.orgUnitId) await this.orgUnits.requireInScope(principal.scope, input.orgUnitId);
    const changes: Partial<UserEntity> = shiftChanges(input);
    if (input.password !== undefined) changes.passwordHash = await this.passwords.hash(input.password);
    if (input.displayName !== undefined) changes.displayName = input.displayName;
    if (input.skills !== undefined) changes.skills = input.skills;
    if (input.onDuty !== undefined) changes.onDuty = input.onDuty;
    if (input.disabled !== undefined) changes.disabled = input.disabled;
    if (input.serviceOrgId !== undefined) changes.serviceOrgId = input.serviceOrgId;
    const moved = input.orgUnitId !== undefined && input.orgUnitId !== existing.orgUnitId;
    if (moved) changes.orgUnitId = input.orgUnitId;
    return this.db.transaction(async (manager) => {
      // Into, or enabled in, an active unit only: a deactivated unit holds no enabled users.
      if (moved && input.orgUnitId) await this.orgUnits.requireActiveForWrite(manager, input.orgUnitId);
      else if (input.disabled === false)
        await this.orgUnits.requireActiveForWrite(manager, existing.orgUnitId, 'disabled');
      // Issue 12 items 5, 9: a new password, or disabling (or re-enabling), ends every session of the user now;
      // so does a move to another unit (its sockets joined the old unit's rooms).
      if (input.password !== undefined || input.disabled !== undefined || moved) await revokeUserTokens(manager, id);
      const user = await this.users.update(id, changes, manager);
      const changed = Object.keys(input).filter((k) => k !== 'password');
      await this.audit.record(
        {
          actor: principal,
          action: 'user.update',
          subjectType: 'user',
          subjectId: id,
          orgUnitId: user.orgUnitId,
          detail: { changed, passwordChanged: input.password !== undefined },
        },
        manager,
      );
      return toUserView(user);
    });
  }

  /** Logout: every token of the user is refused from now on, and its sockets on every process are closed. */
  async revokeTokens(principal: Principal): Promise<void> {
    await this.db.transaction(async (manager) => {
      await revokeUserTokens(manager, principal.userId);
      await this.audit.record(
        {
          actor: principal,
          action: 'auth.logout',
          subjectType: 'user',
          subjectId: principal.userId,
          orgUnitId: principal.orgUnitId,
        },
        manager,
      );
    });
  }

  /** CONTRACT §1: with no users yet, create `admin` in a root centre. Safe when processes race. */
  async bootstrapAdmin(password: string): Promise<boolean> {
    const passwordHash = await this.passwords.hash(password);
    return this.db.transaction(async (manager) => {
      await manager.query(`SELECT pg_advisory_xact_lock(hashtext('anxin.bootstrap_admin'))`);
      const [{ n }] = await manager.query<[{ n: number }]>(`SELECT count(*)::int AS n FROM users`);
      if (n > 0) return false;
      const center = await this.orgUnits.createRootCenter('安心服务中心', manager);
      const admin = await this.users.insert(
        { username: 'admin', passwordHash, role: 'admin', orgUnitId: center.id, displayName: 'Administrator' },
        manager,
      );
      await this.audit.record(
        { actor: null, action: 'user.bootstrap_admin', subjectType: 'user', subjectId: admin.id, orgUnitId: center.id },
        manager,
      );
      return true;
    });
  }
}

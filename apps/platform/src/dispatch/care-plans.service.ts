import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { DataSource, type EntityManager } from 'typeorm';
import type { CarePlanKind, CarePlanOccurrence, CarePlanView, OrderStatus } from '@anxin/contract';
import { AuditService } from '../audit/audit.service';
import type { Principal } from '../auth/principal';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { AppError, notFound } from '../errors/app.errors';
import { inUnitSubtree } from '../http/history-query.util';
import { LOGGER } from '../logging/logger';
import type { OrgScope } from '../org-units/org-scope';
import { ResidentsService } from '../residents/residents.service';
import { isPlanSlot, slotsBetween } from './care-plans';
import { DispatchService } from './dispatch.service';

export interface CarePlanInput {
  kind: CarePlanKind;
  weekdays: number[];
  timeOfDay: string;
  notes?: string | null;
}

type CarePlanRow = Omit<CarePlanView, 'createdAt' | 'endedAt'> & { createdAt: Date; endedAt: Date | null };

// A plan is active, paused (not active) or ended (ended_at set); `active` alone drives the generator.
const PLAN = `p.id, p.resident_id AS "residentId", r.name AS "residentName", r.org_unit_id AS "orgUnitId", p.kind,
  p.weekdays, p.time_of_day AS "timeOfDay", p.notes,
  CASE WHEN p.ended_at IS NOT NULL THEN 'ended' WHEN p.active THEN 'active' ELSE 'paused' END AS status,
  p.created_at AS "createdAt", p.ended_at AS "endedAt"`;

/** SQL: the plan's resident (`r`) is within the caller's scope. */
function inScope(scope: OrgScope, params: unknown[]): string {
  if (scope.kind === 'all') return 'true';
  params.push(`${scope.path}%`);
  return `r.org_unit_id IN (SELECT id FROM org_units WHERE path LIKE $${params.length})`;
}

/**
 * Care plans (issue 16): recurring 六助 services, scoped by their resident's org unit. Pausing, ending or
 * moving a plan's slots withdraws the orders no caregiver has accepted yet; the generator in
 * DispatchService makes the orders of active plans.
 */
@Injectable()
export class CarePlansService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly log: Logger,
    private readonly db: DataSource,
    private readonly residents: ResidentsService,
    private readonly audit: AuditService,
    private readonly dispatch: DispatchService,
  ) {}

  async list(principal: Principal, filter: { residentId?: string; orgUnitId?: string }): Promise<CarePlanRow[]> {
    const params: unknown[] = [];
    const where = [inScope(principal.scope, params)];
    if (filter.residentId) {
      params.push(filter.residentId);
      where.push(`p.resident_id = $${params.length}`);
    }
    if (filter.orgUnitId) where.push(inUnitSubtree('r.org_unit_id', filter.orgUnitId, params));
    return this.db.query<CarePlanRow[]>(
      `SELECT ${PLAN} FROM care_plans p JOIN residents r ON r.id = p.resident_id WHERE ${where.join(' AND ')}
       ORDER BY p.ended_at IS NOT NULL, r.name, p.time_of_day, p.created_at`,
      params,
    );
  }

  /** The plan if its resident is in scope, else 404 (another station's plan does not exist for it). */
  async require(principal: Principal, id: string, manager: EntityManager = this.db.manager, lock = false) {
    const params: unknown[] = [id];
    const rows = await manager.query<CarePlanRow[]>(
      `SELECT ${PLAN} FROM care_plans p JOIN residents r ON r.id = p.resident_id
       WHERE p.id = $1 AND ${inScope(principal.scope, params)}${lock ? ' FOR UPDATE OF p' : ''}`,
      params,
    );
    if (!rows[0]) throw notFound(`care plan ${id}`);
    return rows[0];
  }

  async create(principal: Principal, input: CarePlanInput & { residentId: string }): Promise<CarePlanRow> {
    const resident = await this.residents.requireLiveInScope(principal.scope, input.residentId);
    const id = await this.db.transaction(async (manager) => {
      const rows = await manager.query<{ id: string }[]>(
        `INSERT INTO care_plans (resident_id, kind, weekdays, time_of_day, notes) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
        [resident.id, input.kind, input.weekdays, input.timeOfDay, input.notes ?? null],
      );
      const planId = rows[0]!.id;
      await this.audit.record(
        {
          actor: principal,
          action: 'care_plan.create',
          subjectType: 'care_plan',
          subjectId: planId,
          orgUnitId: resident.orgUnitId,
          detail: { residentId: resident.id, kind: input.kind, weekdays: input.weekdays, timeOfDay: input.timeOfDay },
        },
        manager,
      );
      return planId;
    });
    await this.generateNow(id);
    return this.require(principal, id);
  }

  /** Edit, pause (`status: 'paused'`) or resume (`status: 'active'`); an ended plan is not changed (409). */
  async update(
    principal: Principal,
    id: string,
    patch: Partial<CarePlanInput> & { status?: 'active' | 'paused' },
  ): Promise<CarePlanRow> {
    const { before, after } = await this.db.transaction(async (manager) => {
      const before = await this.require(principal, id, manager, true);
      if (before.status === 'ended') throw new AppError('conflict', 'care plan has ended');
      const after = {
        kind: patch.kind ?? before.kind,
        weekdays: patch.weekdays ?? before.weekdays,
        timeOfDay: patch.timeOfDay ?? before.timeOfDay,
        notes: patch.notes !== undefined ? patch.notes : before.notes,
        status: patch.status ?? before.status,
      };
      await manager.query(
        `UPDATE care_plans SET kind = $2, weekdays = $3, time_of_day = $4, notes = $5, active = $6, updated_at = now()
         WHERE id = $1`,
        [id, after.kind, after.weekdays, after.timeOfDay, after.notes, after.status === 'active'],
      );
      const changed = Object.fromEntries(
        (Object.keys(after) as (keyof typeof after)[])
          .filter((k) => JSON.stringify(after[k]) !== JSON.stringify(before[k]))
          .map((k) => [k, { from: before[k], to: after[k] }]),
      );
      const action = after.status === before.status ? 'update' : after.status === 'paused' ? 'pause' : 'resume';
      await this.audit.record(
        {
          actor: principal,
          action: `care_plan.${action}`,
          subjectType: 'care_plan',
          subjectId: id,
          orgUnitId: before.orgUnitId,
          detail: { changed },
        },
        manager,
      );
      return { before, after };
    });
    if (after.status === 'paused') {
      if (before.status === 'active') await this.dispatch.withdrawPlanOrders(principal, id, '服务计划已暂停');
    } else {
      // Orders of slots (or a kind) the plan no longer has are withdrawn; the new slots are generated.
      const timezone = this.config.time.timezone;
      await this.dispatch.withdrawPlanOrders(
        principal,
        id,
        '服务计划已修改',
        (order) =>
          order.kind === after.kind &&
          !!order.scheduledFor &&
          isPlanSlot(after, new Date(order.scheduledFor), timezone),
      );
      await this.generateNow(id);
    }
    return this.require(principal, id);
  }

  /** Ends the plan for good: no more orders, and its future ones no caregiver accepted are withdrawn. */
  async end(principal: Principal, id: string): Promise<CarePlanRow> {
    await this.db.transaction(async (manager) => {
      const plan = await this.require(principal, id, manager, true);
      if (plan.status === 'ended') throw new AppError('conflict', 'care plan has ended');
      await manager.query(`UPDATE care_plans SET active = false, ended_at = now(), updated_at = now() WHERE id = $1`, [
        id,
      ]);
      await this.audit.record(
        {
          actor: principal,
          action: 'care_plan.end',
          subjectType: 'care_plan',
          subjectId: id,
          orgUnitId: plan.orgUnitId,
        },
        manager,
      );
    });
    await this.dispatch.withdrawPlanOrders(principal, id, '服务计划已结束');
    return this.require(principal, id);
  }

  /**
   * Every slot in `[from, to)` of the plans in scope (not ended; from their creation on), with its order
   * once one exists; and the orders of plans ended or changed since, which did happen or were due.
   */
  async schedule(
    principal: Principal,
    range: { from: Date; to: Date; orgUnitId?: string },
  ): Promise<CarePlanOccurrence[]> {
    const plans = await this.list(principal, { orgUnitId: range.orgUnitId });
    if (plans.length === 0) return [];
    const orders = await this.db.query<{ id: string; planId: string; scheduledFor: Date; status: OrderStatus }[]>(
      `SELECT id, plan_id AS "planId", scheduled_for AS "scheduledFor", status FROM service_orders
       WHERE plan_id = ANY($1::uuid[]) AND NOT plan_withdrawn AND scheduled_for >= $2 AND scheduled_for < $3`,
      [plans.map((p) => p.id), range.from, range.to],
    );
    const key = (planId: string, at: Date) => `${planId}@${at.getTime()}`;
    const unmatched = new Map(orders.map((o) => [key(o.planId, o.scheduledFor), o]));
    const occurrence = (plan: CarePlanRow, at: Date): CarePlanOccurrence => {
      const order = unmatched.get(key(plan.id, at));
      unmatched.delete(key(plan.id, at));
      return {
        planId: plan.id,
        residentId: plan.residentId,
        residentName: plan.residentName,
        kind: plan.kind,
        at: at.toISOString(),
        planStatus: plan.status,
        orderId: order?.id ?? null,
        orderStatus: order?.status ?? null,
      };
    };
    const out: CarePlanOccurrence[] = [];
    const byId = new Map(plans.map((p) => [p.id, p]));
    for (const plan of plans) {
      if (plan.status === 'ended') continue;
      const from = new Date(Math.max(range.from.getTime(), new Date(plan.createdAt).getTime()));
      for (const at of slotsBetween(plan, from, range.to, this.config.time.timezone)) out.push(occurrence(plan, at));
    }
    for (const order of [...unmatched.values()]) out.push(occurrence(byId.get(order.planId)!, order.scheduledFor));
    return out.sort((a, b) => a.at.localeCompare(b.at) || a.residentName.localeCompare(b.residentName));
  }

  /** The plan's orders due within the lead time at once, rather than at the generator's next minute. */
  private async generateNow(planId: string): Promise<void> {
    await this.dispatch.generateRecurringOrders(new Date(), planId).catch((error: unknown) => {
      // The plan is saved; the generator's next run makes what this could not.
      this.log.warn({ err: error, planId }, 'care plan orders not generated yet');
    });
  }
}

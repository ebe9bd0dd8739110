import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleInit } from '@nestjs/common';
import type { Logger } from 'pino';
import { DataSource, type EntityManager } from 'typeorm';
import type { OrderKind } from '@anxin/contract';
import { AlertsService } from '../alerts/alerts.service';
import { AuditService } from '../audit/audit.service';
import type { Principal } from '../auth/principal';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { AppError, notFound } from '../errors/app.errors';
import { JobsService } from '../jobs/jobs.service';
import { LOGGER } from '../logging/logger';
import { ResidentsService } from '../residents/residents.service';
import { upcomingSlots } from './care-plans';
import { OrderSignals } from './order-signals';
import { type Candidate, type OrderRow, OrdersRepository } from './orders.repository';

export type ProgressStatus = 'en_route' | 'on_site' | 'completed';
const PROGRESS_FROM: Record<ProgressStatus, string[]> = {
  en_route: ['accepted'],
  on_site: ['accepted', 'en_route'],
  completed: ['accepted', 'en_route', 'on_site'],
};

/**
 * Service orders and their assignment: offered to one caregiver at a time;
 * a decline or time-out (a delayed job, so it survives restarts) offers it to
 * the next; nobody left means `unassigned` and the consoles are told.
 * Every transition is a guarded UPDATE, so of two racing accepts exactly one wins.
 */
@Injectable()
export class DispatchService implements OnModuleInit, OnApplicationBootstrap {
  readonly signals = new OrderSignals();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly log: Logger,
    private readonly db: DataSource,
    private readonly orders: OrdersRepository,
    private readonly alerts: AlertsService,
    private readonly residents: ResidentsService,
    private readonly jobs: JobsService,
    private readonly audit: AuditService,
  ) {}

  onModuleInit(): void {
    this.jobs.handle('generate-recurring-orders', async () => {
      await this.generateRecurringOrders(new Date());
    });
    this.jobs.handle('offer-timeout', async ({ orderId, caregiverId, attempt }) => {
      await this.passOn(orderId, caregiverId, attempt, 'offer timed out');
    });
    if (this.config.dispatch.maintenanceOrders) {
      this.alerts.signals.on('raised', (alert) => {
        if (alert.kind !== 'device_offline' && alert.kind !== 'low_battery') return;
        void this.createOrder(null, {
          kind: 'maintenance',
          residentId: alert.residentId,
          orgUnitId: alert.orgUnitId,
          alertId: alert.id,
          notes: `${alert.kind}`,
        }).catch((e: unknown) => this.log.warn({ err: e, alertId: alert.id }, 'could not create a maintenance order'));
      });
    }
  }

  async onApplicationBootstrap(): Promise<void> {
    // One scheduler for all processes: BullMQ runs it once per interval wherever a worker is free.
    await this.jobs.schedule(
      'generate-recurring-orders',
      {},
      { schedulerId: 'generate-recurring-orders', every: 60_000 },
    );
  }

  async createPlan(
    principal: Principal,
    input: { residentId: string; kind: OrderKind; weekdays: number[]; timeOfDay: string; notes?: string | null },
  ) {
    const resident = await this.residents.requireInScope(principal.scope, input.residentId);
    const rows = await this.db.query<{ id: string }[]>(
      `INSERT INTO care_plans (resident_id, kind, weekdays, time_of_day, notes) VALUES ($1, $2, $3, $4, $5)
       RETURNING id, resident_id AS "residentId", kind, weekdays, time_of_day AS "timeOfDay", notes, active`,
      [resident.id, input.kind, input.weekdays, input.timeOfDay, input.notes ?? null],
    );
    await this.audit.record({
      actor: principal,
      action: 'care_plan.create',
      subjectType: 'care_plan',
      subjectId: rows[0]!.id,
      orgUnitId: resident.orgUnitId,
    });
    return rows[0]!;
  }

  /** Orders for every active plan's slots in the next 24 h; the unique (plan, slot) index makes reruns no-ops. */
  async generateRecurringOrders(now: Date): Promise<number> {
    const plans = await this.db.query<
      {
        id: string;
        residentId: string;
        orgUnitId: string;
        kind: OrderKind;
        weekdays: number[];
        timeOfDay: string;
        notes: string | null;
      }[]
    >(
      `SELECT p.id, p.resident_id AS "residentId", r.org_unit_id AS "orgUnitId", p.kind, p.weekdays, p.time_of_day AS "timeOfDay", p.notes
       FROM care_plans p JOIN residents r ON r.id = p.resident_id WHERE p.active`,
    );
    let created = 0;
    for (const plan of plans) {
      for (const slot of upcomingSlots(plan, now, 24 * 3600_000, this.config.time.timezone)) {
        const id = await this.db.transaction((manager) =>
          this.orders.insert(manager, {
            kind: plan.kind,
            residentId: plan.residentId,
            orgUnitId: plan.orgUnitId,
            alertId: null,
            notes: plan.notes,
            createdBy: null,
            planId: plan.id,
            scheduledFor: slot,
          }),
        );
        if (!id) continue;
        created += 1;
        await this.offerNext(id);
      }
    }
    return created;
  }

  async requireInScope(principal: Principal, id: string): Promise<OrderRow> {
    const order = await this.orders.findById(id);
    if (!order) throw notFound(`order ${id}`);
    if (principal.role === 'caregiver') {
      if (order.offeredTo !== principal.userId && order.assigneeId !== principal.userId) throw notFound(`order ${id}`);
      return order;
    }
    await this.residents.requireInScope(principal.scope, order.residentId).catch(() => {
      throw notFound(`order ${id}`);
    });
    return order;
  }

  /** An operator dispatches an alert: the alert becomes `dispatched` and an order is offered at once. */
  async dispatchAlert(
    principal: Principal,
    alertId: string,
    input: { kind?: OrderKind; note?: string | null; caregiverId?: string },
  ): Promise<OrderRow> {
    const alert = await this.alerts.requireInScope(principal.scope, alertId);
    if (alert.status === 'resolved') throw new AppError('conflict', 'alert is already resolved');
    const { orderId, updated } = await this.db.transaction(async (manager) => {
      const updatedAlert = await this.alerts.markDispatched(manager, principal, alertId);
      const id = await this.orders.insert(manager, {
        kind: input.kind ?? 'emergency',
        residentId: alert.residentId,
        orgUnitId: alert.orgUnitId,
        alertId,
        notes: input.note ?? null,
        createdBy: principal.userId,
      });
      return { orderId: id!, updated: updatedAlert };
    });
    if (updated) this.alerts.signals.emit('updated', updated);
    return this.offerNext(orderId, input.caregiverId);
  }

  async createForResident(
    principal: Principal,
    input: { kind: OrderKind; residentId: string; notes?: string | null },
  ): Promise<OrderRow> {
    const resident = await this.residents.requireInScope(principal.scope, input.residentId);
    return this.createOrder(principal, {
      kind: input.kind,
      residentId: resident.id,
      orgUnitId: resident.orgUnitId,
      alertId: null,
      notes: input.notes ?? null,
    });
  }

  async createOrder(
    principal: Principal | null,
    o: {
      kind: OrderKind;
      residentId: string;
      orgUnitId: string;
      alertId: string | null;
      notes: string | null;
      planId?: string;
      scheduledFor?: Date;
    },
  ): Promise<OrderRow> {
    const id = await this.db.transaction((manager) =>
      this.orders.insert(manager, { ...o, createdBy: principal?.userId ?? null }),
    );
    if (!id) throw new AppError('conflict', 'this order exists already');
    return this.offerNext(id);
  }

  candidatesFor(orderKind: OrderKind, orgUnitId: string, exclude: string[] = []): Promise<Candidate[]> {
    return this.orders.candidates(this.db.manager, { kind: orderKind, orgUnitId }, exclude);
  }

  /** Offers the order to the best eligible caregiver not yet passed over, or marks it unassigned. */
  private async offerNext(orderId: string, preferred?: string): Promise<OrderRow> {
    const event = await this.db.transaction(async (manager) => {
      const order = await this.orders.findById(orderId, manager, true);
      if (!order || (order.status !== 'pending' && order.status !== 'offered')) return null;
      const candidates = await this.orders.candidates(manager, order, order.passedBy);
      const chosen = candidates.find((c) => c.userId === preferred) ?? candidates[0];
      if (!chosen) {
        await this.orders.transition(
          manager,
          orderId,
          `status = 'unassigned', offered_to = NULL, offer_expires_at = NULL`,
          `status IN ('pending', 'offered')`,
          [],
        );
        await this.orders.addTimeline(manager, orderId, 'unassigned', null, 'no eligible caregiver left');
        return 'unassigned' as const;
      }
      const timeout = this.config.dispatch.offerTimeoutSeconds[order.kind === 'emergency' ? 'emergency' : 'other'];
      const attempt = order.offerAttempt + 1;
      await this.orders.transition(
        manager,
        orderId,
        `status = 'offered', offered_to = $2, offer_attempt = $3, offer_expires_at = now() + make_interval(secs => $4)`,
        `status IN ('pending', 'offered')`,
        [chosen.userId, attempt, timeout],
      );
      await this.orders.addTimeline(manager, orderId, 'offered', null, chosen.username);
      // Queued before commit with a deterministic id; the handler re-checks attempt and caregiver, so a stale job is a no-op.
      await this.jobs.add(
        'offer-timeout',
        { orderId, caregiverId: chosen.userId, attempt },
        { jobId: `offer:${orderId}:${attempt}`, delayMs: timeout * 1000 },
      );
      return 'offered' as const;
    });
    const order = (await this.orders.findById(orderId))!;
    if (event === 'offered') this.signals.emit('offered', order);
    if (event === 'unassigned') this.signals.emit('unassigned', order);
    if (event) this.signals.emit('updated', order);
    return order;
  }

  /** Decline or time-out: only the caregiver currently offered, only for this attempt. */
  private async passOn(orderId: string, caregiverId: string, attempt: number | null, note: string): Promise<boolean> {
    const passed = await this.db.transaction(async (manager) => {
      const ok = await this.orders.transition(
        manager,
        orderId,
        `status = 'pending', offered_to = NULL, offer_expires_at = NULL, passed_by = array_append(passed_by, $2::uuid)`,
        `status = 'offered' AND offered_to = $2 AND ($3::int IS NULL OR offer_attempt = $3)`,
        [caregiverId, attempt],
      );
      if (ok) await this.orders.addTimeline(manager, orderId, 'pending', caregiverId, note);
      return ok;
    });
    if (passed) await this.offerNext(orderId);
    return passed;
  }

  async decline(principal: Principal, orderId: string): Promise<OrderRow> {
    const declined = await this.requireInScope(principal, orderId);
    if (!(await this.passOn(orderId, principal.userId, null, 'declined')))
      throw new AppError('conflict', 'this order is not offered to you');
    // The declined offer's time-out, not the next caregiver's (passOn has already made a new offer).
    await this.jobs.remove(`offer:${orderId}:${declined.offerAttempt}`).catch(() => undefined);
    return (await this.orders.findById(orderId))!;
  }

  async accept(principal: Principal, orderId: string): Promise<OrderRow> {
    const before = await this.requireInScope(principal, orderId);
    const won = await this.db.transaction(async (manager) => {
      const ok = await this.orders.transition(
        manager,
        orderId,
        `status = 'accepted', assignee_id = $2, offered_to = NULL, offer_expires_at = NULL, accepted_at = now()`,
        `status = 'offered' AND offered_to = $2`,
        [principal.userId],
      );
      if (!ok) return false;
      await this.orders.addTimeline(manager, orderId, 'accepted', principal.userId, null);
      await manager.query(`UPDATE users SET last_assigned_at = now() WHERE id = $1`, [principal.userId]);
      return true;
    });
    if (!won) throw new AppError('conflict', 'this order is no longer offered to you');
    await this.jobs.remove(`offer:${orderId}:${before.offerAttempt}`).catch(() => undefined);
    return this.announce(orderId);
  }

  async progress(
    principal: Principal,
    orderId: string,
    status: ProgressStatus,
    note: string | null,
  ): Promise<OrderRow> {
    const order = await this.requireInScope(principal, orderId);
    if (order.assigneeId !== principal.userId)
      throw new AppError('forbidden', 'only the assigned caregiver reports progress');
    const stamp =
      status === 'on_site' ? ', on_site_at = now()' : status === 'completed' ? ', completed_at = now()' : '';
    const ok = await this.db.transaction(async (manager) => {
      const moved = await this.orders.transition(
        manager,
        orderId,
        `status = $2${stamp}`,
        `status = ANY($3) AND assignee_id = $4`,
        [status, PROGRESS_FROM[status], principal.userId],
      );
      if (!moved) return false;
      await this.orders.addTimeline(manager, orderId, status, principal.userId, note);
      return true;
    });
    if (!ok) throw new AppError('conflict', `cannot move from ${order.status} to ${status}`);
    // Completing an emergency order resolves its alert with the caregiver's note.
    if (status === 'completed' && order.kind === 'emergency' && order.alertId) {
      await this.alerts
        .resolveUnscoped(order.alertId, 'real_emergency', note ?? 'completed by caregiver', principal)
        .catch((e: unknown) => {
          if (!(e instanceof AppError)) throw e;
        });
    }
    return this.announce(orderId);
  }

  async cancel(principal: Principal, orderId: string, reason: string): Promise<OrderRow> {
    await this.requireInScope(principal, orderId);
    const ok = await this.db.transaction(async (manager) => {
      const moved = await this.orders.transition(
        manager,
        orderId,
        `status = 'cancelled', cancel_reason = $2, offered_to = NULL`,
        `status NOT IN ('completed', 'cancelled')`,
        [reason],
      );
      if (moved) await this.orders.addTimeline(manager, orderId, 'cancelled', principal.userId, reason);
      return moved;
    });
    if (!ok) throw new AppError('conflict', 'order is already completed or cancelled');
    await this.audit.record({
      actor: principal,
      action: 'order.cancel',
      subjectType: 'order',
      subjectId: orderId,
      detail: { reason },
    });
    return this.announce(orderId);
  }

  private async announce(orderId: string): Promise<OrderRow> {
    const order = (await this.orders.findById(orderId))!;
    this.signals.emit('updated', order);
    return order;
  }

  listForCaregiver(userId: string): Promise<OrderRow[]> {
    return this.orders.listForCaregiver(userId);
  }

  list(principal: Principal, filter: Parameters<OrdersRepository['list']>[1]) {
    return this.orders.list(principal.scope, filter);
  }

  /** The resident details a caregiver needs on the way; responder notes only once the task is theirs. */
  async withResident(order: OrderRow, forUserId: string, manager: EntityManager = this.db.manager) {
    const rows = await manager.query<
      {
        name: string;
        address: string | null;
        phone: string | null;
        emergencyContacts: unknown[];
        notes: string | null;
      }[]
    >(
      `SELECT name, address, phone, emergency_contacts AS "emergencyContacts", care_profile ->> 'responderNotes' AS notes FROM residents WHERE id = $1`,
      [order.residentId],
    );
    const r = rows[0];
    if (!r) return order;
    const assigned = order.assigneeId === forUserId;
    return {
      ...order,
      resident: {
        name: r.name,
        address: r.address,
        phone: r.phone,
        emergencyContacts: r.emergencyContacts,
        ...(assigned && r.notes ? { responderNotes: r.notes } : {}),
      },
    };
  }
}

import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleInit } from '@nestjs/common';
import type { Logger } from 'pino';
import { DataSource, type EntityManager } from 'typeorm';
import { type AlertKind, dispatchForAlert, type OrderKind, type ResolveOutcome } from '@anxin/contract';
import { AlertsService } from '../alerts/alerts.service';
import { AuditService } from '../audit/audit.service';
import type { Principal } from '../auth/principal';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { AppError, notFound } from '../errors/app.errors';
import { JobsService } from '../jobs/jobs.service';
import { LOGGER } from '../logging/logger';
import { ResidentsService } from '../residents/residents.service';
import { upcomingSlots } from './care-plans';
import { OrderOffersService } from './order-offers.service';
import { OrderSignals } from './order-signals';
import { type Candidate, type OrderRow, OrdersRepository } from './orders.repository';
import { shiftClock } from './shift-clock';

export type ProgressStatus = 'en_route' | 'on_site' | 'completed';
/** Orders no caregiver has accepted yet. */
const UNTAKEN = `('pending', 'offered', 'unassigned')`;
const PROGRESS_FROM: Record<ProgressStatus, string[]> = {
  en_route: ['accepted'],
  on_site: ['accepted', 'en_route'],
  completed: ['accepted', 'en_route', 'on_site'],
};

/** The skills that can serve an order: those of the alert it answers when it is the alert's own kind of order. */
export function skillsFor(kind: OrderKind, alertKind?: AlertKind): readonly string[] {
  if (alertKind) {
    const mapped = dispatchForAlert(alertKind);
    if (mapped.orderKind === kind) return mapped.skills;
  }
  return kind === 'emergency' ? ['emergency', 'medical'] : [kind];
}

/**
 * Service orders: creation, progress and completion. Offering and accepting live in
 * OrderOffersService; every transition is a guarded UPDATE, so of racing writers exactly one wins.
 */
@Injectable()
export class DispatchService implements OnModuleInit, OnApplicationBootstrap {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly log: Logger,
    private readonly db: DataSource,
    private readonly orders: OrdersRepository,
    private readonly alerts: AlertsService,
    private readonly residents: ResidentsService,
    private readonly jobs: JobsService,
    private readonly audit: AuditService,
    private readonly offers: OrderOffersService,
    readonly signals: OrderSignals,
  ) {}

  onModuleInit(): void {
    this.jobs.handle('generate-recurring-orders', async () => {
      await this.generateRecurringOrders(new Date());
    });
    this.jobs.handle('arrival-sla', ({ orderId }) => this.checkArrival(orderId));
    // A moved resident's unfinished orders belong to its new station (issue 12 item 3).
    this.residents.onMove(async (manager, residentId, orgUnitId) => {
      const moved = await this.orders.moveOpenOfResident(manager, residentId, orgUnitId);
      return async () => {
        for (const id of moved) {
          const order = await this.orders.findById(id);
          if (order) this.signals.emit('updated', order);
        }
      };
    });
    // Maintenance orders for device faults are opened by MaintenanceOrdersService, after a delay (issue 11).
  }

  async onApplicationBootstrap(): Promise<void> {
    // One scheduler for all processes: BullMQ runs it once per interval wherever a worker is free.
    await this.jobs.schedule(
      'generate-recurring-orders',
      {},
      { schedulerId: 'generate-recurring-orders', every: 60_000 },
    );
  }

  /**
   * Orders for every active plan's slots within the lead time (or only plan `planId`'s); the unique
   * (plan, slot) index makes reruns no-ops.
   */
  async generateRecurringOrders(now: Date, planId?: string): Promise<number> {
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
       FROM care_plans p JOIN residents r ON r.id = p.resident_id WHERE p.active AND ($1::uuid IS NULL OR p.id = $1)`,
      [planId ?? null],
    );
    let created = 0;
    for (const plan of plans) {
      // Offered a lead time before the slot, so the offer does not lapse overnight a day ahead (issue 16).
      const leadMs = this.config.dispatch.carePlanLeadSeconds * 1000;
      for (const slot of upcomingSlots(plan, now, leadMs, this.config.time.timezone)) {
        const id = await this.db.transaction(async (manager) => {
          // The plan as read, still active: a pause or edit committed meanwhile withdraws, and this
          // share lock makes one that commits later wait and then see (and withdraw) this order.
          const unchanged = await manager.query<unknown[]>(
            `SELECT 1 FROM care_plans WHERE id = $1 AND active AND kind = $2 AND weekdays = $3 AND time_of_day = $4 FOR SHARE`,
            [plan.id, plan.kind, plan.weekdays, plan.timeOfDay],
          );
          if (unchanged.length === 0) return null;
          return this.orders.insert(manager, {
            kind: plan.kind,
            residentId: plan.residentId,
            orgUnitId: plan.orgUnitId,
            alertId: null,
            notes: plan.notes,
            createdBy: null,
            planId: plan.id,
            scheduledFor: slot,
            requiredSkills: skillsFor(plan.kind),
          });
        });
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
      const offered = order.status === 'offered' && order.offeredToAll.includes(principal.userId);
      if (!offered && order.offeredTo !== principal.userId && order.assigneeId !== principal.userId)
        throw notFound(`order ${id}`);
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
    const kind = input.kind ?? dispatchForAlert(alert.kind).orderKind;
    const orderId = await this.db.transaction(async (manager) => {
      await this.alerts.markDispatched(manager, principal, alertId);
      const id = await this.orders.insert(manager, {
        kind,
        requiredSkills: skillsFor(kind, alert.kind),
        residentId: alert.residentId,
        orgUnitId: alert.orgUnitId,
        alertId,
        notes: input.note ?? null,
        createdBy: principal.userId,
      });
      return id!;
    });
    // One push of the alert, by the offer, carrying both its new status and its order's; should
    // offering fail, the alert is pushed here instead.
    return this.offerNext(orderId, input.caregiverId).catch(async (error: unknown) => {
      await this.alerts.announceById(alertId);
      throw error;
    });
  }

  async createForResident(
    principal: Principal,
    input: { kind: OrderKind; residentId: string; notes?: string | null },
  ): Promise<OrderRow> {
    const resident = await this.residents.requireLiveInScope(principal.scope, input.residentId);
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
    /** Runs in the order's transaction; false = this order must not be created (e.g. another process made it). */
    guard?: (manager: EntityManager) => Promise<boolean>,
  ): Promise<OrderRow> {
    const id = await this.db.transaction(async (manager) => {
      if (guard && !(await guard(manager))) return null;
      return this.orders.insert(manager, {
        ...o,
        createdBy: principal?.userId ?? null,
        requiredSkills: skillsFor(o.kind),
      });
    });
    if (!id) throw new AppError('conflict', 'this order exists already');
    return this.offerNext(id);
  }

  candidatesFor(orderKind: OrderKind, orgUnitId: string, alertKind?: AlertKind): Promise<Candidate[]> {
    return this.orders.candidates(
      this.db.manager,
      { requiredSkills: skillsFor(orderKind, alertKind), orgUnitId },
      [],
      shiftClock(new Date(), this.config.time.timezone),
    );
  }

  offerNext(orderId: string, preferred?: string): Promise<OrderRow> {
    return this.offers.offerNext(orderId, preferred);
  }

  async decline(principal: Principal, orderId: string): Promise<OrderRow> {
    await this.requireInScope(principal, orderId);
    return this.offers.decline(principal, orderId);
  }

  async accept(principal: Principal, orderId: string): Promise<OrderRow> {
    await this.requireInScope(principal, orderId);
    return this.offers.accept(principal, orderId);
  }

  async progress(
    principal: Principal,
    orderId: string,
    status: ProgressStatus,
    note: string | null,
    outcome: ResolveOutcome | null = null,
  ): Promise<OrderRow> {
    if (outcome && status !== 'completed')
      throw new AppError('invalid_input', 'outcome: only given with status "completed"');
    const order = await this.requireInScope(principal, orderId);
    if (order.assigneeId !== principal.userId)
      throw new AppError('forbidden', 'only the assigned caregiver reports progress');
    const stamp =
      status === 'on_site' ? ', on_site_at = now()' : status === 'completed' ? ', completed_at = now()' : '';
    const ok = await this.db.transaction(async (manager) => {
      const moved = await this.orders.transition(
        manager,
        orderId,
        `status = $2${stamp}, outcome = coalesce($5, outcome)`,
        `status = ANY($3) AND assignee_id = $4`,
        [status, PROGRESS_FROM[status], principal.userId, outcome],
      );
      if (!moved) return false;
      await this.orders.addTimeline(manager, orderId, status, principal.userId, note);
      return true;
    });
    if (!ok) throw new AppError('conflict', `cannot move from ${order.status} to ${status}`);
    // CONTRACT §3 (v1.1): completion resolves the alert only with the outcome the caregiver chose;
    // without one the alert stays for the operator (it is pushed again showing the order completed).
    // The resolution pushes the alert (showing the order completed): it is not pushed twice.
    let resolved = false;
    if (status === 'completed' && outcome && order.alertId) {
      resolved = await this.alerts
        .resolveUnscoped(order.alertId, outcome, note ?? '护理员完成服务后结案', principal)
        .then(
          () => true,
          (e: unknown) => {
            if (!(e instanceof AppError)) throw e;
            return false;
          },
        );
    }
    return this.offers.announce(orderId, { alert: !resolved });
  }

  async cancel(principal: Principal, orderId: string, reason: string): Promise<OrderRow> {
    await this.requireInScope(principal, orderId);
    const order = await this.cancelIf(principal, orderId, reason, `status NOT IN ('completed', 'cancelled')`);
    if (!order) throw new AppError('conflict', 'order is already completed or cancelled');
    return order;
  }

  /**
   * A paused, ended or edited care plan withdraws its future orders that no caregiver has accepted and
   * that `stillPlanned` no longer wants; an accepted visit stays. Returns how many were withdrawn.
   */
  async withdrawPlanOrders(
    principal: Principal,
    planId: string,
    reason: string,
    stillPlanned: (order: OrderRow) => boolean = () => false,
  ): Promise<number> {
    const open = await this.db.query<{ id: string }[]>(
      `SELECT id FROM service_orders WHERE plan_id = $1 AND status IN ${UNTAKEN} AND scheduled_for > now()`,
      [planId],
    );
    let withdrawn = 0;
    for (const { id } of open) {
      const order = await this.orders.findById(id);
      if (!order || stillPlanned(order)) continue;
      // plan_withdrawn frees the slot, so resuming the plan offers it again.
      if (await this.cancelIf(principal, id, reason, `status IN ${UNTAKEN}`, ', plan_withdrawn = true')) withdrawn += 1;
    }
    return withdrawn;
  }

  /** Cancels while `guard` holds (else null); audited, and the consoles and offered caregivers are told. */
  private async cancelIf(
    principal: Principal,
    orderId: string,
    reason: string,
    guard: string,
    alsoSet = '',
  ): Promise<OrderRow | null> {
    const before = await this.db.transaction(async (manager) => {
      // Locked, so those told their offer is gone are the ones it was offered to at cancellation.
      const current = await this.orders.findById(orderId, manager, true);
      const moved = await this.orders.transition(
        manager,
        orderId,
        `status = 'cancelled', cancel_reason = $2, offered_to = NULL, offered_to_all = '{}'${alsoSet}`,
        guard,
        [reason],
      );
      if (!moved) return null;
      await this.orders.addTimeline(manager, orderId, 'cancelled', principal.userId, reason);
      return current;
    });
    if (!before) return null;
    await this.audit.record({
      actor: principal,
      action: 'order.cancel',
      subjectType: 'order',
      subjectId: orderId,
      detail: { reason },
    });
    const order = await this.offers.announce(orderId);
    if (before.status === 'offered' && before.offeredToAll.length)
      this.signals.emit('withdrawn', order, before.offeredToAll);
    return order;
  }

  /** The arrival SLA ran out: flag once to the operators if the caregiver is still not on site. */
  private async checkArrival(orderId: string): Promise<void> {
    if (!(await this.orders.flagArrivalOverdue(orderId))) return;
    const order = await this.offers.announce(orderId);
    this.log.warn({ orderId, alertId: order.alertId }, 'emergency arrival overdue');
    await this.audit.record({
      actor: null,
      action: 'order.arrival_overdue',
      subjectType: order.alertId ? 'alert' : 'order',
      subjectId: order.alertId ?? orderId,
      orgUnitId: order.orgUnitId,
      detail: { orderId, slaSeconds: this.config.dispatch.arrivalSlaSeconds, assigneeId: order.assigneeId },
    });
  }

  /** A caregiver goes on or off duty (audited: it decides who is offered orders) and shares a position. */
  async updateCaregiverStatus(
    principal: Principal,
    input: { onDuty?: boolean; lat?: number; lon?: number },
  ): Promise<void> {
    await this.db.transaction(async (manager) => {
      await manager.query(
        `UPDATE users SET on_duty = coalesce($2, on_duty), last_lat = coalesce($3, last_lat),
                last_lon = coalesce($4, last_lon), updated_at = now() WHERE id = $1`,
        [principal.userId, input.onDuty ?? null, input.lat ?? null, input.lon ?? null],
      );
      if (input.onDuty === undefined) return;
      await this.audit.record(
        {
          actor: principal,
          action: 'user.duty',
          subjectType: 'user',
          subjectId: principal.userId,
          orgUnitId: principal.orgUnitId,
          detail: { onDuty: input.onDuty },
        },
        manager,
      );
    });
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
        lat: number | null;
        lon: number | null;
      }[]
    >(
      // The safe zone's centre is the home: the caregiver's map link points there (issue 16).
      `SELECT name, address, phone, emergency_contacts AS "emergencyContacts", care_profile ->> 'responderNotes' AS notes,
              (care_profile #>> '{safeZone,lat}')::float8 AS lat, (care_profile #>> '{safeZone,lon}')::float8 AS lon
       FROM residents WHERE id = $1`,
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
        lat: r.lat,
        lon: r.lon,
        ...(assigned && r.notes ? { responderNotes: r.notes } : {}),
      },
    };
  }
}

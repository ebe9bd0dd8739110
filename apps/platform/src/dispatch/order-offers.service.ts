import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AlertsService } from '../alerts/alerts.service';
import type { Principal } from '../auth/principal';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { AppError } from '../errors/app.errors';
import { JobsService } from '../jobs/jobs.service';
import { OrderSignals } from './order-signals';
import { type OrderRow, OrdersRepository } from './orders.repository';
import { shiftClock } from './shift-clock';

const offerJobId = (orderId: string, attempt: number) => `offer:${orderId}:${attempt}`;

/**
 * Offering an order: each offer is a wave — one caregiver, or for an emergency under the `broadcast`
 * strategy every eligible caregiver at once. The database is the only arbiter: accept is a conditional
 * UPDATE (`status = 'offered' AND me = ANY(offered_to_all)`), so of racing accepts on any number of
 * processes exactly one wins. A wave ends by accept, by everyone declining, or by its time-out (a delayed
 * job); then the next wave goes to whoever is left, or the order is `unassigned` and the operators are told.
 */
@Injectable()
export class OrderOffersService implements OnModuleInit {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly db: DataSource,
    private readonly orders: OrdersRepository,
    private readonly alerts: AlertsService,
    private readonly jobs: JobsService,
    readonly signals: OrderSignals,
  ) {}

  onModuleInit(): void {
    this.jobs.handle('offer-timeout', ({ orderId, attempt }) => this.expire(orderId, attempt));
  }

  /** Offers the order to the next wave of eligible caregivers not yet passed over, or marks it unassigned. */
  async offerNext(orderId: string, preferred?: string): Promise<OrderRow> {
    const event = await this.db.transaction(async (manager) => {
      const order = await this.orders.findById(orderId, manager, true);
      if (!order || (order.status !== 'pending' && order.status !== 'offered')) return null;
      const clock = shiftClock(new Date(), this.config.time.timezone);
      const candidates = await this.orders.candidates(manager, order, order.passedBy, clock);
      if (candidates.length === 0) {
        await this.orders.transition(
          manager,
          orderId,
          `status = 'unassigned', offered_to = NULL, offered_to_all = '{}', offer_expires_at = NULL`,
          `status IN ('pending', 'offered')`,
          [],
        );
        await this.orders.addTimeline(manager, orderId, 'unassigned', null, 'no eligible caregiver left');
        return 'unassigned' as const;
      }
      // An operator's chosen caregiver is asked alone first; otherwise the strategy picks the wave.
      const chosen = candidates.find((c) => c.userId === preferred);
      const broadcast = order.kind === 'emergency' && this.config.dispatch.emergencyOfferStrategy === 'broadcast';
      const wave = chosen ? [chosen] : broadcast ? candidates : candidates.slice(0, 1);
      const timeout = this.config.dispatch.offerTimeoutSeconds[order.kind === 'emergency' ? 'emergency' : 'other'];
      const attempt = order.offerAttempt + 1;
      await this.orders.transition(
        manager,
        orderId,
        `status = 'offered', offered_to = $2, offered_to_all = $3, offer_attempt = $4,
         offer_expires_at = now() + make_interval(secs => $5)`,
        `status IN ('pending', 'offered')`,
        [wave[0]!.userId, wave.map((c) => c.userId), attempt, timeout],
      );
      await this.orders.addTimeline(
        manager,
        orderId,
        'offered',
        null,
        wave.map((c) => c.displayName ?? c.username).join(', '),
      );
      // The timer row commits with the offer (its wake-up after); the handler re-checks the attempt.
      await this.jobs.add(
        'offer-timeout',
        { orderId, caregiverId: wave[0]!.userId, attempt },
        { jobId: offerJobId(orderId, attempt), delayMs: timeout * 1000, manager },
      );
      return 'offered' as const;
    });
    return event ? this.announce(orderId, { first: event }) : (await this.orders.findById(orderId))!;
  }

  /**
   * After commit: the order to the consoles and its caregivers (`first`, if given, before
   * `updated`), then its alert, pushed again carrying the order's status (CONTRACT §3 v1.1),
   * unless the caller pushed the alert already (`alert: false`).
   */
  async announce(orderId: string, opts: { first?: 'offered' | 'unassigned'; alert?: boolean } = {}): Promise<OrderRow> {
    const order = (await this.orders.findById(orderId))!;
    if (opts.first) this.signals.emit(opts.first, order);
    this.signals.emit('updated', order);
    if (order.alertId && opts.alert !== false) await this.alerts.announceById(order.alertId);
    return order;
  }

  /** The wave's time-out: everyone it waited on is passed over and hears that the offer is gone. */
  async expire(orderId: string, attempt: number): Promise<void> {
    const passed = await this.db.transaction(async (manager) => {
      const order = await this.orders.findById(orderId, manager, true);
      if (!order || order.status !== 'offered' || order.offerAttempt !== attempt) return null;
      const waited = order.offeredToAll.length ? order.offeredToAll : [order.offeredTo!];
      await this.orders.transition(
        manager,
        orderId,
        `status = 'pending', offered_to = NULL, offered_to_all = '{}', offer_expires_at = NULL,
         passed_by = passed_by || $2::uuid[]`,
        `status = 'offered' AND offer_attempt = $3`,
        [waited, attempt],
      );
      await this.orders.addTimeline(manager, orderId, 'pending', null, 'offer timed out');
      return waited;
    });
    if (!passed) return;
    const order = await this.offerNext(orderId);
    this.signals.emit('withdrawn', order, passed);
  }

  async decline(principal: Principal, orderId: string): Promise<OrderRow> {
    const result = await this.db.transaction(async (manager) => {
      const order = await this.orders.findById(orderId, manager, true);
      if (!order || order.status !== 'offered' || !order.offeredToAll.includes(principal.userId)) return null;
      const left = order.offeredToAll.filter((id) => id !== principal.userId);
      await this.orders.transition(
        manager,
        orderId,
        `offered_to_all = $3::uuid[], offered_to = $4, passed_by = array_append(passed_by, $2::uuid),
         status = CASE WHEN cardinality($3::uuid[]) = 0 THEN 'pending' ELSE status END,
         offer_expires_at = CASE WHEN cardinality($3::uuid[]) = 0 THEN NULL ELSE offer_expires_at END`,
        `status = 'offered' AND $2 = ANY(offered_to_all)`,
        [principal.userId, left, left[0] ?? null],
      );
      await this.orders.addTimeline(
        manager,
        orderId,
        left.length ? 'offered' : 'pending',
        principal.userId,
        'declined',
      );
      return { attempt: order.offerAttempt, waveEnded: left.length === 0 };
    });
    if (!result) throw new AppError('conflict', 'this order is not offered to you');
    let order: OrderRow;
    if (result.waveEnded) {
      // This wave's time-out, not the next one's (offerNext makes a new attempt with its own job).
      await this.jobs.remove(offerJobId(orderId, result.attempt)).catch(() => undefined);
      order = await this.offerNext(orderId);
    } else {
      order = (await this.orders.findById(orderId))!;
      this.signals.emit('updated', order);
    }
    this.signals.emit('withdrawn', order, [principal.userId]);
    return order;
  }

  /** First accept wins; everyone else the wave waited on hears it is taken. */
  async accept(principal: Principal, orderId: string): Promise<OrderRow> {
    const won = await this.db.transaction(async (manager) => {
      const before = await this.orders.findById(orderId, manager, true);
      if (!before) return null;
      const ok = await this.orders.transition(
        manager,
        orderId,
        `status = 'accepted', assignee_id = $2, offered_to = NULL, offered_to_all = '{}', offer_expires_at = NULL,
         accepted_at = now()`,
        `status = 'offered' AND $2 = ANY(offered_to_all)`,
        [principal.userId],
      );
      if (!ok) return null;
      await this.orders.addTimeline(manager, orderId, 'accepted', principal.userId, null);
      await manager.query(`UPDATE users SET last_assigned_at = now() WHERE id = $1`, [principal.userId]);
      if (before.kind === 'emergency') {
        // The arrival SLA (一刻钟 service circle) is a delayed job; its handler re-checks the status.
        await this.jobs.add(
          'arrival-sla',
          { orderId },
          { jobId: `arrival:${orderId}:sla`, delayMs: this.config.dispatch.arrivalSlaSeconds * 1000, manager },
        );
      }
      return before;
    });
    if (!won) throw new AppError('conflict', 'this order is no longer offered to you');
    await this.jobs.remove(offerJobId(orderId, won.offerAttempt)).catch(() => undefined);
    const order = await this.announce(orderId);
    const others = won.offeredToAll.filter((id) => id !== principal.userId);
    if (others.length) this.signals.emit('withdrawn', order, others);
    return order;
  }
}

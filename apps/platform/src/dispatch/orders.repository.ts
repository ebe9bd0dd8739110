import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { OrderKind, OrderStatus, ServiceOrderView } from '@anxin/contract';
import { inUnitSubtree } from '../http/history-query.util';
import type { OrgScope } from '../org-units/org-scope';
import { type ShiftClock, withinShiftSql } from './shift-clock';

export interface Candidate {
  userId: string;
  username: string;
  displayName: string | null;
  load: number;
  distanceM: number | null;
}

/** What people read for a user id (issue 16: stations see caregivers' names, not ids). */
const personName = (idColumn: string) =>
  `(SELECT coalesce(pu.display_name, pu.username) FROM users pu WHERE pu.id = ${idColumn})`;

const ORDER = `o.id, o.kind, o.status, o.resident_id AS "residentId", o.alert_id AS "alertId", o.assignee_id AS "assigneeId",
  o.offered_to AS "offeredTo", o.offer_expires_at AS "offerExpiresAt", o.org_unit_id AS "orgUnitId", o.notes,
  o.created_at AS "createdAt", o.updated_at AS "updatedAt", o.scheduled_for AS "scheduledFor", o.cancel_reason AS "cancelReason",
  o.accepted_at AS "acceptedAt", o.on_site_at AS "onSiteAt", o.completed_at AS "completedAt", o.offer_attempt AS "offerAttempt",
  o.passed_by AS "passedBy", o.offered_to_all AS "offeredToAll", o.required_skills AS "requiredSkills", o.outcome,
  o.arrival_overdue_at AS "arrivalOverdueAt",
  ${personName('o.assignee_id')} AS "assigneeName", ${personName('o.offered_to')} AS "offeredToName",
  (SELECT coalesce(json_agg(json_build_object('status', t.status, 'at', t.at, 'actorId', t.actor_id,
                                              'actorName', ${personName('t.actor_id')}, 'note', t.note) ORDER BY t.id), '[]')
     FROM order_timeline t WHERE t.order_id = o.id) AS timeline`;

export type OrderRow = ServiceOrderView & {
  offeredToAll: string[];
  requiredSkills: string[];
  outcome: string | null;
  arrivalOverdueAt: string | null;
  acceptedAt: string | null;
  onSiteAt: string | null;
  completedAt: string | null;
  offerAttempt: number;
  passedBy: string[];
  scheduledFor: string | null;
  cancelReason: string | null;
};

@Injectable()
export class OrdersRepository {
  constructor(private readonly db: DataSource) {}

  async findById(id: string, manager: EntityManager = this.db.manager, lock = false): Promise<OrderRow | null> {
    if (lock) await manager.query(`SELECT 1 FROM service_orders WHERE id = $1 FOR UPDATE`, [id]);
    const rows = await manager.query<OrderRow[]>(`SELECT ${ORDER} FROM service_orders o WHERE o.id = $1`, [id]);
    return rows[0] ?? null;
  }

  async list(
    scope: OrgScope,
    f: {
      statuses?: OrderStatus[];
      kinds?: OrderKind[];
      residentId?: string;
      orgUnitId?: string;
      from?: Date;
      to?: Date;
      limit: number;
      offset: number;
    },
  ) {
    const params: unknown[] = [];
    const where: string[] = [];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (scope.kind === 'subtree')
      add(`o.org_unit_id IN (SELECT id FROM org_units WHERE path LIKE ?)`, `${scope.path}%`);
    if (f.statuses?.length) add(`o.status = ANY(?)`, f.statuses);
    if (f.kinds?.length) add(`o.kind = ANY(?)`, f.kinds);
    if (f.residentId) add(`o.resident_id = ?`, f.residentId);
    if (f.orgUnitId) where.push(inUnitSubtree('o.org_unit_id', f.orgUnitId, params));
    if (f.from) add(`o.created_at >= ?`, f.from);
    if (f.to) add(`o.created_at < ?`, f.to);
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const total = await this.db.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM service_orders o ${clause}`,
      params,
    );
    const rows = await this.db.query<OrderRow[]>(
      `SELECT ${ORDER} FROM service_orders o ${clause} ORDER BY o.created_at DESC LIMIT ${f.limit} OFFSET ${f.offset}`,
      params,
    );
    return [rows, total[0]?.n ?? 0] as const;
  }

  /** A caregiver's offers and active tasks (CONTRACT §4 tasks:snapshot), then recent history. */
  listForCaregiver(userId: string): Promise<OrderRow[]> {
    return this.db.query<OrderRow[]>(
      `SELECT ${ORDER} FROM service_orders o
       WHERE (o.status = 'offered' AND $1 = ANY(o.offered_to_all)) OR (o.assignee_id = $1 AND o.status IN ('accepted', 'en_route', 'on_site'))
          OR (o.assignee_id = $1 AND o.status IN ('completed', 'cancelled') AND o.updated_at > now() - interval '7 days')
       ORDER BY o.created_at DESC LIMIT 200`,
      [userId],
    );
  }

  async insert(
    manager: EntityManager,
    o: {
      kind: OrderKind;
      residentId: string;
      orgUnitId: string;
      alertId: string | null;
      notes: string | null;
      createdBy: string | null;
      planId?: string;
      scheduledFor?: Date;
      /** Any one of these serves the order; empty = anyone. */
      requiredSkills: readonly string[];
    },
  ): Promise<string | null> {
    const rows = await manager.query<{ id: string }[]>(
      `INSERT INTO service_orders (kind, resident_id, org_unit_id, alert_id, notes, created_by, plan_id, scheduled_for, required_skills)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING RETURNING id`,
      [
        o.kind,
        o.residentId,
        o.orgUnitId,
        o.alertId,
        o.notes,
        o.createdBy,
        o.planId ?? null,
        o.scheduledFor ?? null,
        o.requiredSkills,
      ],
    );
    if (rows[0]) await this.addTimeline(manager, rows[0].id, 'pending', o.createdBy, o.notes);
    return rows[0]?.id ?? null;
  }

  addTimeline(
    manager: EntityManager,
    orderId: string,
    status: OrderStatus,
    actorId: string | null,
    note: string | null,
  ) {
    return manager.query(`INSERT INTO order_timeline (order_id, status, actor_id, note) VALUES ($1, $2, $3, $4)`, [
      orderId,
      status,
      actorId,
      note,
    ]);
  }

  /** Runs one guarded transition; returns false when the guard no longer holds (someone else won). */
  async transition(
    manager: EntityManager,
    id: string,
    set: string,
    guard: string,
    params: unknown[],
  ): Promise<boolean> {
    const [rows] = await manager.query<[unknown[], number]>(
      `UPDATE service_orders SET ${set}, updated_at = now() WHERE id = $1 AND ${guard} RETURNING id`,
      [id, ...params],
    );
    return rows.length > 0;
  }

  /** Flags an accepted order not yet on site; true only the first time (the SLA is flagged once). */
  async flagArrivalOverdue(id: string): Promise<boolean> {
    const [rows] = await this.db.query<[unknown[], number]>(
      `UPDATE service_orders SET arrival_overdue_at = now(), updated_at = now()
       WHERE id = $1 AND status IN ('accepted', 'en_route') AND arrival_overdue_at IS NULL RETURNING id`,
      [id],
    );
    return rows.length > 0;
  }

  /** Issue 12 item 3: a resident moved to another unit takes its unfinished orders along. */
  async moveOpenOfResident(manager: EntityManager, residentId: string, orgUnitId: string): Promise<string[]> {
    const [rows] = await manager.query<[{ id: string }[], number]>(
      `UPDATE service_orders SET org_unit_id = $2, updated_at = now()
       WHERE resident_id = $1 AND status NOT IN ('completed', 'cancelled') AND org_unit_id <> $2 RETURNING id`,
      [residentId, orgUnitId],
    );
    return rows.map((r) => r.id);
  }

  /**
   * Eligible caregivers, best first: on duty and within their shift hours at `clock` (issue 16), holding
   * one of the order's skills (a caregiver with none listed counts as an emergency responder, as before
   * skills were checked), covering the resident's unit (their service organisation's units, or their own
   * unit and below when they have none); ranked by load, distance, least recently assigned.
   */
  candidates(
    manager: EntityManager,
    order: {
      requiredSkills: readonly string[];
      orgUnitId: string;
      residentLat?: number | null;
      residentLon?: number | null;
    },
    exclude: string[],
    clock: ShiftClock,
  ): Promise<Candidate[]> {
    return manager.query<Candidate[]>(
      `WITH target AS (SELECT path FROM org_units WHERE id = $1)
       SELECT u.id AS "userId", u.username, u.display_name AS "displayName",
              (SELECT count(*)::int FROM service_orders o
                 WHERE (o.assignee_id = u.id AND o.status IN ('accepted', 'en_route', 'on_site')) OR (u.id = ANY(o.offered_to_all) AND o.status = 'offered')) AS load,
              CASE WHEN u.last_lat IS NULL OR $4::float8 IS NULL THEN NULL
                   ELSE round(6371000 * 2 * asin(sqrt(power(sin(radians($4 - u.last_lat) / 2), 2)
                        + cos(radians(u.last_lat)) * cos(radians($4)) * power(sin(radians($5 - u.last_lon) / 2), 2))))::float8 END AS "distanceM",
              u.last_assigned_at
       FROM users u JOIN org_units home ON home.id = u.org_unit_id, target
       WHERE u.role = 'caregiver' AND NOT u.disabled AND u.on_duty
         AND ${withinShiftSql('$6::text', '$7', '$8')}
         AND (cardinality($2::text[]) = 0 OR u.skills && $2::text[]
              OR (cardinality(u.skills) = 0 AND 'emergency' = ANY($2::text[])))
         AND NOT (u.id = ANY($3::uuid[]))
         AND CASE WHEN u.service_org_id IS NULL THEN target.path LIKE home.path || '%'
                  ELSE EXISTS (SELECT 1 FROM service_org_units su JOIN org_units cu ON cu.id = su.org_unit_id
                               WHERE su.service_org_id = u.service_org_id AND target.path LIKE cu.path || '%') END
       ORDER BY load, "distanceM" NULLS LAST, u.last_assigned_at NULLS FIRST, u.username
       LIMIT 50`,
      [
        order.orgUnitId,
        order.requiredSkills,
        exclude,
        order.residentLat ?? null,
        order.residentLon ?? null,
        clock.time,
        clock.weekday,
        clock.previousWeekday,
      ],
    );
  }
}

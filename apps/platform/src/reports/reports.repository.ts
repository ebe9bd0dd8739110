import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { AlertKind, AlertReport, DeviceReport, OrderKind, OrderReport } from '@anxin/contract';
import { inUnitSubtree } from '../http/history-query.util';
import type { OrgScope } from '../org-units/org-scope';

export interface ReportWindow {
  from: Date;
  to: Date;
  /** This unit and those under it, within the caller's scope. */
  orgUnitId?: string;
  /** The platform's zone: the alert report's days. */
  timeZone: string;
}

/** The caller's scope and the unit asked for, on `alias.org_unit_id`. */
function unitWhere(alias: string, scope: OrgScope, orgUnitId: string | undefined, params: unknown[]): string[] {
  const where: string[] = ['true'];
  if (scope.kind === 'subtree') {
    params.push(`${scope.path}%`);
    where.push(`${alias}.org_unit_id IN (SELECT id FROM org_units WHERE path LIKE $${params.length})`);
  }
  if (orgUnitId) where.push(inUnitSubtree(`${alias}.org_unit_id`, orgUnitId, params));
  return where;
}

/** The WHERE of a report: the caller's scope, the unit asked for, and the time window on `timeColumn`. */
function reportWhere(alias: string, timeColumn: string, scope: OrgScope, w: ReportWindow, params: unknown[]): string {
  const where = unitWhere(alias, scope, w.orgUnitId, params);
  params.push(w.from, w.to);
  where.push(`${alias}.${timeColumn} >= $${params.length - 1} AND ${alias}.${timeColumn} < $${params.length}`);
  return where.join(' AND ');
}

/** Upper bounds of the acknowledgement-time distribution, then alerts never acknowledged. */
export const ACK_BUCKETS = ['30s', '60s', '120s', '180s', '300s', 'over300s', 'never'] as const;

const fraction = (part: number, whole: number): number | null => (whole > 0 ? part / whole : null);
const seconds = (value: number | null): number | null => (value === null ? null : Math.round(Number(value) * 10) / 10);

/**
 * The supervisors' figures (CONTRACT §3 "History and reports", issue 15). Each report is a few
 * aggregate statements over one scoped window; the indexes on (org_unit_id, …, time) serve them.
 */
@Injectable()
export class ReportsRepository {
  constructor(private readonly db: DataSource) {}

  async alerts(scope: OrgScope, w: ReportWindow): Promise<AlertReport> {
    const params: unknown[] = [];
    const where = reportWhere('a', 'opened_at', scope, w, params);
    params.push(w.timeZone);
    const zone = `$${params.length}`;
    // The first order an alert got: its caregiver's arrival, and whether it ended unassigned.
    const scoped = `SELECT a.kind, a.org_unit_id, a.outcome, a.escalation_level,
                           (a.opened_at AT TIME ZONE ${zone})::date AS day,
                           extract(epoch FROM a.acknowledged_at - a.opened_at)::float8 AS ack_s,
                           extract(epoch FROM o.on_site_at - a.opened_at)::float8 AS on_site_s,
                           o.status AS order_status
                    FROM alerts a
                    LEFT JOIN LATERAL (SELECT on_site_at, status FROM service_orders
                                       WHERE alert_id = a.id ORDER BY created_at LIMIT 1) o ON true
                    WHERE ${where}`;
    const [totals] = await this.db.query<
      {
        total: number;
        within60: number;
        within180: number;
        median_ack: number | null;
        p90_ack: number | null;
        false_alarms: number;
        judged: number;
        escalated: number;
        unassigned: number;
        dispatched: number;
        median_on_site: number | null;
        on_site15: number;
        on_site45: number;
        ack_buckets: number[];
      }[]
    >(
      `WITH a AS (${scoped})
       SELECT count(*)::int AS total,
              count(*) FILTER (WHERE ack_s <= 60)::int AS within60,
              count(*) FILTER (WHERE ack_s <= 180)::int AS within180,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY ack_s) AS median_ack,
              percentile_cont(0.9) WITHIN GROUP (ORDER BY ack_s) AS p90_ack,
              count(*) FILTER (WHERE outcome = 'false_alarm')::int AS false_alarms,
              count(*) FILTER (WHERE outcome IS NOT NULL AND outcome <> 'auto_resolved')::int AS judged,
              count(*) FILTER (WHERE escalation_level > 0)::int AS escalated,
              count(*) FILTER (WHERE order_status = 'unassigned')::int AS unassigned,
              count(*) FILTER (WHERE order_status IS NOT NULL AND order_status <> 'cancelled')::int AS dispatched,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY on_site_s) AS median_on_site,
              count(*) FILTER (WHERE on_site_s <= 15 * 60)::int AS on_site15,
              count(*) FILTER (WHERE on_site_s <= 45 * 60)::int AS on_site45,
              ARRAY[count(*) FILTER (WHERE ack_s <= 30), count(*) FILTER (WHERE ack_s > 30 AND ack_s <= 60),
                    count(*) FILTER (WHERE ack_s > 60 AND ack_s <= 120), count(*) FILTER (WHERE ack_s > 120 AND ack_s <= 180),
                    count(*) FILTER (WHERE ack_s > 180 AND ack_s <= 300), count(*) FILTER (WHERE ack_s > 300),
                    count(*) FILTER (WHERE ack_s IS NULL)]::int[] AS ack_buckets
       FROM a`,
      params,
    );
    const byKind = await this.countBy<AlertKind>(scoped, 'kind', params);
    const byDay = await this.db.query<{ day: string; total: number }[]>(
      `WITH a AS (${scoped}) SELECT to_char(day, 'YYYY-MM-DD') AS day, count(*)::int AS total FROM a GROUP BY day ORDER BY day`,
      params,
    );
    const byOrgUnit = await this.db.query<{ orgUnitId: string; name: string; total: number }[]>(
      `WITH a AS (${scoped})
       SELECT a.org_unit_id AS "orgUnitId", u.name, count(*)::int AS total
       FROM a JOIN org_units u ON u.id = a.org_unit_id GROUP BY a.org_unit_id, u.name ORDER BY total DESC, u.name`,
      params,
    );
    const t = totals!;
    return {
      from: w.from.toISOString(),
      to: w.to.toISOString(),
      total: t.total,
      byKind,
      byOrgUnit,
      acknowledgedWithin60s: fraction(t.within60, t.total),
      acknowledgedWithin180s: fraction(t.within180, t.total),
      medianAcknowledgeSeconds: seconds(t.median_ack),
      p90AcknowledgeSeconds: seconds(t.p90_ack),
      falseAlarmRate: fraction(t.false_alarms, t.judged),
      byDay,
      escalated: t.escalated,
      unassignedEmergencies: t.unassigned,
      medianOnSiteSeconds: seconds(t.median_on_site),
      onSiteWithin15min: fraction(t.on_site15, t.dispatched),
      onSiteWithin45min: fraction(t.on_site45, t.dispatched),
      acknowledgeTimes: ACK_BUCKETS.map((bucket, i) => ({ bucket, total: t.ack_buckets[i] ?? 0 })),
    };
  }

  async orders(scope: OrgScope, w: ReportWindow): Promise<OrderReport> {
    const params: unknown[] = [];
    const where = reportWhere('o', 'created_at', scope, w, params);
    const scoped = `SELECT o.kind, o.status, u.service_org_id, s.name AS service_org_name, o.plan_id,
                           o.on_site_at <= o.scheduled_for + interval '15 minutes' AS on_time,
                           extract(epoch FROM o.accepted_at - o.created_at)::float8 AS accept_s,
                           extract(epoch FROM o.on_site_at - greatest(o.created_at, coalesce(o.scheduled_for, o.created_at)))::float8
                             AS arrival_s
                    FROM service_orders o
                    LEFT JOIN users u ON u.id = o.assignee_id
                    LEFT JOIN service_orgs s ON s.id = u.service_org_id
                    WHERE ${where}`;
    const [totals] = await this.db.query<
      {
        total: number;
        completed: number;
        unassigned: number;
        median_accept: number | null;
        median_arrival: number | null;
        arrived45: number;
        not_cancelled: number;
        cancelled: number;
        plan_orders: number;
        plan_on_time: number;
      }[]
    >(
      `WITH o AS (${scoped})
       SELECT count(*)::int AS total,
              count(*) FILTER (WHERE status = 'completed')::int AS completed,
              count(*) FILTER (WHERE status = 'unassigned')::int AS unassigned,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY accept_s) AS median_accept,
              -- greatest() would turn a missing arrival into 0: an order on site before its slot counts as 0 this way
              percentile_cont(0.5) WITHIN GROUP (ORDER BY CASE WHEN arrival_s < 0 THEN 0 ELSE arrival_s END) AS median_arrival,
              count(*) FILTER (WHERE status <> 'cancelled' AND arrival_s <= 45 * 60)::int AS arrived45,
              count(*) FILTER (WHERE status <> 'cancelled')::int AS not_cancelled,
              count(*) FILTER (WHERE status = 'cancelled')::int AS cancelled,
              count(*) FILTER (WHERE plan_id IS NOT NULL AND status <> 'cancelled')::int AS plan_orders,
              count(*) FILTER (WHERE plan_id IS NOT NULL AND status <> 'cancelled' AND on_time)::int AS plan_on_time
       FROM o`,
      params,
    );
    const byKind = await this.countBy<OrderKind>(scoped, 'kind', params);
    const byServiceOrg = await this.db.query<{ serviceOrgId: string | null; name: string | null; total: number }[]>(
      `WITH o AS (${scoped})
       SELECT service_org_id AS "serviceOrgId", service_org_name AS name, count(*)::int AS total
       FROM o GROUP BY service_org_id, service_org_name ORDER BY total DESC, name NULLS LAST`,
      params,
    );
    const t = totals!;
    return {
      from: w.from.toISOString(),
      to: w.to.toISOString(),
      total: t.total,
      byKind,
      byServiceOrg,
      completed: t.completed,
      unassigned: t.unassigned,
      medianAcceptSeconds: seconds(t.median_accept),
      medianArrivalSeconds: seconds(t.median_arrival),
      arrivedWithin45min: fraction(t.arrived45, t.not_cancelled),
      cancelled: t.cancelled,
      carePlanOnTime: fraction(t.plan_on_time, t.plan_orders),
    };
  }

  /** `{value: count}` of a scoped row set, most frequent first. */
  private async countBy<K extends string>(scoped: string, column: string, params: unknown[]) {
    const rows = await this.db.query<{ key: K; n: number }[]>(
      `WITH r AS (${scoped}) SELECT ${column} AS key, count(*)::int AS n FROM r GROUP BY ${column} ORDER BY n DESC, ${column}`,
      params,
    );
    return Object.fromEntries(rows.map((r) => [r.key, r.n])) as Partial<Record<K, number>>;
  }

  async devices(scope: OrgScope, w: ReportWindow): Promise<DeviceReport> {
    const unitParams: unknown[] = [];
    const inUnits = unitWhere('d', scope, w.orgUnitId, unitParams).join(' AND ');
    const byType = await this.db.query<{ type: string; total: number; onlineNow: number; rejectedMessages: number }[]>(
      `SELECT d.type, count(*)::int AS total, count(*) FILTER (WHERE d.online)::int AS "onlineNow",
              coalesce(sum(d.rejected_messages), 0)::int AS "rejectedMessages"
       FROM devices d WHERE ${inUnits} GROUP BY d.type ORDER BY total DESC, d.type`,
      unitParams,
    );
    const params: unknown[] = [];
    const where = reportWhere('a', 'opened_at', scope, w, params);
    const [offline] = await this.db.query<{ incidents: number; offline_s: number }[]>(
      `SELECT count(*)::int AS incidents,
              coalesce(sum(extract(epoch FROM least(coalesce(a.resolved_at, now()), $${params.length}) - a.opened_at)), 0)::float8
                AS offline_s
       FROM alerts a WHERE ${where} AND a.kind = 'device_offline'`,
      params,
    );
    const total = byType.reduce((n, t) => n + t.total, 0);
    const periodSeconds = (w.to.getTime() - w.from.getTime()) / 1000;
    return {
      from: w.from.toISOString(),
      to: w.to.toISOString(),
      total,
      byType,
      offlineIncidents: offline!.incidents,
      availability: total > 0 ? Math.max(0, 1 - offline!.offline_s / (total * periodSeconds)) : null,
    };
  }
}

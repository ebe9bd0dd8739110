import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import {
  type AlertKind,
  type AlertOutcome,
  type AlertStatus,
  type AlertView,
  DEVICE_HEALTH_KINDS,
  type Severity,
} from '@anxin/contract';
import { type PreparedStatement, preparedQueryIn } from '../database/prepared-query';
import { columnsOf } from '../database/unnest-columns.util';
import { degradedDevicesSql } from '../devices/device-protection.util';
import { inUnitSubtree } from '../http/history-query.util';
import type { EventRow } from '../ingest/ingest.repository';
import { insertDueTimersFrom } from '../jobs/due-timers.repository';
import type { OrgScope } from '../org-units/org-scope';
import { firstEscalationsSql } from './escalation-timers';
import { nothingElsePending } from './pending-events.repository';

/**
 * The whole alert (CONTRACT §4) from `a` (alert rows: the table, or a statement's RETURNING) and its
 * resident `r`. The order, notification and device columns are subqueries in the select list on purpose:
 * a list evaluates them for the rows it returns only, after its LIMIT.
 */
const VIEW = `a.id, a.resident_id AS "residentId", r.name AS "residentName", a.org_unit_id AS "orgUnitId",
  a.device_id AS "deviceId", a.event_id::text AS "eventId", a.kind, a.severity, a.status, a.opened_at AS "openedAt",
  a.last_occurred_at AS "lastOccurredAt", a.occurrences, a.escalation_level AS "escalationLevel",
  a.acknowledged_at AS "acknowledgedAt", a.acknowledged_by AS "acknowledgedBy", a.resolved_at AS "resolvedAt",
  a.outcome, a.note, a.readings,
  (SELECT o.status FROM service_orders o WHERE o.alert_id = a.id ORDER BY o.created_at DESC LIMIT 1) AS "orderStatus",
  EXISTS (SELECT 1 FROM service_orders o WHERE o.alert_id = a.id AND o.arrival_overdue_at IS NOT NULL
          AND o.status IN ('accepted', 'en_route')) AS "arrivalOverdue",
  EXISTS (SELECT 1 FROM notification_outbox n WHERE n.alert_id = a.id AND n.status = 'failed') AS "notificationFailed",
  ${degradedDevicesSql('a.resident_id')} AS "degradedDevices"`;

/** `SELECT` of the view (and `extra` columns of `a`) over `rows`: `alerts`, or a CTE of alert rows. */
const selectView = (rows: string, extra = '') =>
  `SELECT ${VIEW}${extra} FROM ${rows} a JOIN residents r ON r.id = a.resident_id`;

/**
 * One statement that changes alert rows and returns their views (no second query): `change` is an
 * `UPDATE alerts … RETURNING *`. Its subqueries read the other tables as they were before the statement.
 */
const changedView = (change: string) => `WITH changed AS (${change}) ${selectView('changed')}`;

type Row = Omit<AlertView, 'openedAt' | 'lastOccurredAt' | 'acknowledgedAt' | 'resolvedAt'> & {
  openedAt: Date;
  lastOccurredAt: Date;
  acknowledgedAt: Date | null;
  resolvedAt: Date | null;
};

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);
function toView(row: Row): AlertView {
  return {
    ...row,
    openedAt: iso(row.openedAt)!,
    lastOccurredAt: iso(row.lastOccurredAt)!,
    acknowledgedAt: iso(row.acknowledgedAt),
    resolvedAt: iso(row.resolvedAt),
    protectionDegraded: (row.degradedDevices ?? []).length > 0,
  };
}

const HEALTH_KINDS = `(${DEVICE_HEALTH_KINDS.map((k) => `'${k}'`).join(', ')})`;
/** CONTRACT §3 Supervision: device-health alerts are one open alert per device, the others one per resident. */
const isPerDevice = (kind: AlertKind) => (DEVICE_HEALTH_KINDS as readonly AlertKind[]).includes(kind);
/** The open alert a raise folds into: its partial unique index's key. */
const keyOf = (a: { residentId: string; deviceId: string | null; kind: AlertKind }) =>
  isPerDevice(a.kind) ? `device ${a.deviceId} ${a.kind}` : `resident ${a.residentId} ${a.kind}`;

/** Indexes of `raises` in rounds where no key repeats, each key's raises in their order. */
function roundsOfDistinctKeys(raises: RaiseParams[]): number[][] {
  const rounds: number[][] = [];
  const seen = new Map<string, number>();
  raises.forEach((raise, i) => {
    const key = keyOf(raise);
    const round = seen.get(key) ?? 0;
    seen.set(key, round + 1);
    (rounds[round] ??= []).push(i);
  });
  return rounds;
}

/*
 * Raises of distinct keys in one statement (unnest columns as RaiseParams):
 * one INSERT … ON CONFLICT per partial unique index, each taking its row locks
 * in key order (a concurrent writer cannot lock two of them the other way
 * round), and the views built from their RETURNING rows in the same statement.
 */
const upsertAlerts = (perDevice: boolean) => `INSERT INTO alerts
      (resident_id, org_unit_id, kind, severity, device_id, event_id, readings, opened_at, last_occurred_at)
    SELECT resident_id, org_unit_id, kind, severity, device_id, event_id, readings, at, at FROM raise
    WHERE kind ${perDevice ? 'IN' : 'NOT IN'} ${HEALTH_KINDS}
    ORDER BY ${perDevice ? 'device_id' : 'resident_id'}, kind
    ON CONFLICT (${perDevice ? 'device_id' : 'resident_id'}, kind)
      WHERE status <> 'resolved' AND kind ${perDevice ? 'IN' : 'NOT IN'} ${HEALTH_KINDS}
    DO UPDATE SET occurrences = alerts.occurrences + 1,
                  last_occurred_at = greatest(alerts.last_occurred_at, excluded.last_occurred_at),
                  updated_at = now()
    RETURNING *, (xmax = 0) AS created`;
const RAISE_OR_RECUR_SQL = `WITH raise AS (
    SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::uuid[], $6::bigint[], $7::jsonb[], $8::timestamptz[])
      AS v(resident_id, org_unit_id, kind, severity, device_id, event_id, readings, at)),
  per_resident AS (${upsertAlerts(false)}),
  per_device AS (${upsertAlerts(true)}),
  changed AS (SELECT * FROM per_resident UNION ALL SELECT * FROM per_device)
  ${selectView('changed', ', a.created')}`;

/*
 * Issue 13 (S3, S7): life-safety events stored and raised by one statement. The
 * caller's transaction holds the residents' turns (resident-turn.ts), taken by an
 * earlier statement, so this one's snapshot sees every earlier event of theirs:
 * an event whose resident has none pending is stored already processed and its
 * alert raised (one row version, never in the pending indexes); the others are
 * stored pending, for the passes, which keep the resident's order. One event per
 * resident (an alert row changes once per statement); the alert goes to the
 * resident's unit now, as in a pass. A new alert's first escalation timer is
 * added by the same statement.
 */
const STORE_AND_RAISE_SQL = `WITH ev AS (
    SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::bigint[], $5::text[], $6::timestamptz[],
                         $7::timestamptz[], $8::boolean[], $9::jsonb[], $10::text[], $11::text[], $12::jsonb[])
      AS v(device_id, resident_id, org_unit_id, seq, type, device_ts, received_at, clock_skewed, payload,
           kind, severity, readings)),
  stored AS (
    INSERT INTO device_events (device_id, resident_id, org_unit_id, seq, type, device_ts, received_at, clock_skewed,
                               payload, processed_at)
    SELECT device_id, resident_id, org_unit_id, seq, type, device_ts, received_at, clock_skewed, payload,
           CASE WHEN ${nothingElsePending('ev.resident_id')} THEN now() END
      FROM ev
    ON CONFLICT (device_id, seq) DO NOTHING
    RETURNING id, device_id, seq, resident_id, processed_at IS NOT NULL AS ruled),
  raise AS (
    SELECT s.resident_id, r.org_unit_id, ev.kind, ev.severity, ev.device_id, s.id AS event_id, ev.readings,
           ev.received_at AS at
      FROM stored s JOIN ev ON ev.device_id = s.device_id AND ev.seq = s.seq JOIN residents r ON r.id = s.resident_id
     WHERE s.ruled),
  changed AS (${upsertAlerts(false)}),
  timers AS (${insertDueTimersFrom(firstEscalationsSql('changed', '$13::jsonb'))})
  SELECT s.id::text AS "storedId", s.device_id AS "storedDeviceId", s.seq::text AS "storedSeq", s.ruled, v.*
    FROM stored s LEFT JOIN (${selectView('changed', ', a.created')}) v ON s.ruled AND v."residentId" = s.resident_id`;

/** A life-safety event for `storeAndRaiseStatement`: its row (payload as JSON text) and the raise its type decides. */
export type LifeSafetyEventRow = Omit<EventRow, 'deviceType' | 'payload'> & {
  payload: string;
  kind: AlertKind;
  severity: Severity;
  readings: Record<string, unknown> | null;
};

/** A row STORE_AND_RAISE_SQL returns: a stored event, with its alert's view when it raised one. */
export type StoreAndRaiseRow = Partial<Row> & {
  storedId: string;
  storedDeviceId: string;
  storedSeq: string;
  ruled: boolean;
  created: boolean;
};

/** What `storeAndRaise` stored: a new event id per (device, seq), which were ruled, and the alerts raised. */
export interface StoredAndRaised {
  ids: Map<string, { id: string; ruled: boolean }>;
  results: RaiseResult[];
}

function scopeClause(scope: OrgScope, params: unknown[]): string {
  if (scope.kind === 'all') return 'true';
  params.push(`${scope.path}%`);
  return `a.org_unit_id IN (SELECT id FROM org_units WHERE path LIKE $${params.length})`;
}

/** A raised alert's view; `created` false when it folded into the open alert as one more occurrence. */
export interface RaiseResult {
  alert: AlertView;
  created: boolean;
}

export interface RaiseParams {
  residentId: string;
  orgUnitId: string;
  kind: AlertKind;
  severity: Severity;
  deviceId: string | null;
  eventId: string | null;
  readings: Record<string, unknown> | null;
  at: Date;
}

/** What a rule found, for the device (and event, if any) that showed it. */
export function raiseParams(
  source: { residentId: string; orgUnitId: string; deviceId: string; eventId: string | null },
  kind: RaiseParams['kind'],
  severity: RaiseParams['severity'],
  readings: Record<string, unknown> | null,
  at: Date,
): RaiseParams {
  const { residentId, orgUnitId, deviceId, eventId } = source;
  return { residentId, orgUnitId, deviceId, eventId, kind, severity, readings, at };
}

export interface AlertListFilter {
  statuses?: AlertStatus[];
  kinds?: AlertKind[];
  severities?: Severity[];
  residentId?: string;
  outcomes?: AlertOutcome[];
  /** Part of the resident's name. */
  residentName?: string;
  /** This unit and those under it (within the scope). */
  orgUnitId?: string;
  /** Opened in `[from, to)`. */
  from?: Date;
  to?: Date;
  /** Default newest first (history); the console's snapshot orders by severity. */
  order?: 'newest' | 'severity';
  limit: number;
  offset: number;
}

@Injectable()
export class AlertsRepository {
  constructor(private readonly db: DataSource) {}

  /**
   * Opens each alert, or adds an occurrence to the open one of the same (resident, kind), or
   * (device, kind) for device health, and returns their views in `raises` order. The partial unique
   * indexes make it safe under races. A statement may change a row only once, so the n-th raise of
   * a key goes in the n-th statement: one statement for a pass whose raises are all different.
   */
  async raiseOrRecurMany(manager: EntityManager, raises: RaiseParams[]): Promise<RaiseResult[]> {
    const results: RaiseResult[] = new Array<RaiseResult>(raises.length);
    for (const round of roundsOfDistinctKeys(raises)) {
      const rows = await preparedQueryIn<Row & { created: boolean }>(
        manager,
        'alerts-raise-or-recur',
        RAISE_OR_RECUR_SQL,
        columnsOf(
          round.map((i) => raises[i]!),
          ['residentId', 'orgUnitId', 'kind', 'severity', 'deviceId', 'eventId', 'readings', 'at'],
        ),
      );
      const byKey = new Map(rows.map(({ created, ...row }) => [keyOf(row), { alert: toView(row), created }]));
      for (const i of round) results[i] = byKey.get(keyOf(raises[i]!))!;
    }
    return results;
  }

  /**
   * STORE_AND_RAISE_SQL for `events`, one per resident, to run in a transaction
   * that holds their residents' turns; `storedAndRaised` reads what it returns.
   */
  storeAndRaiseStatement(
    events: LifeSafetyEventRow[],
    escalateAfterSeconds: Record<Severity, number>,
  ): PreparedStatement {
    return {
      name: 'alerts-store-and-raise',
      text: STORE_AND_RAISE_SQL,
      values: [
        ...columnsOf(events, [
          'deviceId',
          'residentId',
          'orgUnitId',
          'seq',
          'type',
          'deviceTs',
          'receivedAt',
          'clockSkewed',
          'payload',
          'kind',
          'severity',
          'readings',
        ]),
        JSON.stringify(escalateAfterSeconds),
      ],
    };
  }

  /** What `storeAndRaiseStatement` stored and raised. Ids are keyed `deviceId/seq`. */
  storedAndRaised(rows: StoreAndRaiseRow[]): StoredAndRaised {
    const ids = new Map<string, { id: string; ruled: boolean }>();
    const results: RaiseResult[] = [];
    for (const { storedId, storedDeviceId, storedSeq, ruled, created, ...view } of rows) {
      ids.set(`${storedDeviceId}/${storedSeq}`, { id: storedId, ruled });
      if (view.id) results.push({ alert: toView(view as Row), created });
    }
    return { ids, results };
  }

  async findInScope(scope: OrgScope, id: string): Promise<AlertView | null> {
    const params: unknown[] = [id];
    const rows = await this.db.query<Row[]>(
      `${selectView('alerts')} WHERE a.id = $1 AND ${scopeClause(scope, params)}`,
      params,
    );
    return rows[0] ? toView(rows[0]) : null;
  }

  async findById(id: string): Promise<AlertView | null> {
    return (await this.findByIds([id]))[0] ?? null;
  }

  /** The views of these alerts (those that exist), in one query. */
  async findByIds(ids: string[]): Promise<AlertView[]> {
    const rows = await this.db.query<Row[]>(`${selectView('alerts')} WHERE a.id = ANY($1::uuid[])`, [ids]);
    return rows.map(toView);
  }

  async list(scope: OrgScope, f: AlertListFilter): Promise<[AlertView[], number]> {
    const params: unknown[] = [];
    const where = [scopeClause(scope, params)];
    const any = (column: string, values: unknown[] | undefined) => {
      if (!values?.length) return;
      params.push(values);
      where.push(`${column} = ANY($${params.length})`);
    };
    any('a.status', f.statuses);
    any('a.kind', f.kinds);
    any('a.severity', f.severities);
    any('a.outcome', f.outcomes);
    if (f.residentName) {
      params.push(`%${f.residentName.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
      where.push(`a.resident_id IN (SELECT id FROM residents WHERE name ILIKE $${params.length})`);
    }
    if (f.residentId) {
      params.push(f.residentId);
      where.push(`a.resident_id = $${params.length}`);
    }
    if (f.orgUnitId) where.push(inUnitSubtree('a.org_unit_id', f.orgUnitId, params));
    if (f.from) {
      params.push(f.from);
      where.push(`a.opened_at >= $${params.length}`);
    }
    if (f.to) {
      params.push(f.to);
      where.push(`a.opened_at < $${params.length}`);
    }
    const order =
      f.order === 'severity'
        ? `CASE a.severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 ELSE 3 END, a.opened_at`
        : 'a.opened_at DESC, a.id';
    const total = await this.db.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM alerts a WHERE ${where.join(' AND ')}`,
      params,
    );
    params.push(f.limit, f.offset);
    const rows = await this.db.query<Row[]>(
      `${selectView('alerts')} WHERE ${where.join(' AND ')}
       ORDER BY ${order}
       LIMIT $${params.length - 1} OFFSET $${params.length}`,
      params,
    );
    return [rows.map(toView), total[0]?.n ?? 0];
  }

  /** Open, acknowledged and dispatched alerts in scope (the console snapshot). */
  async listActive(scope: OrgScope): Promise<AlertView[]> {
    const [alerts] = await this.list(scope, {
      statuses: ['open', 'acknowledged', 'dispatched'],
      order: 'severity',
      limit: 1000,
      offset: 0,
    });
    return alerts;
  }

  async acknowledge(
    manager: EntityManager,
    id: string,
    userId: string,
    note: string | null,
  ): Promise<AlertView | null> {
    return this.changeOne(
      manager,
      `UPDATE alerts SET status = 'acknowledged', acknowledged_at = now(), acknowledged_by = $2, note = coalesce($3, note), updated_at = now()
       WHERE id = $1 AND status = 'open' RETURNING *`,
      [id, userId, note],
    );
  }

  async markDispatched(manager: EntityManager, id: string, userId: string): Promise<AlertView | null> {
    return this.changeOne(
      manager,
      `UPDATE alerts SET status = 'dispatched', dispatched_at = now(), updated_at = now(),
              acknowledged_at = coalesce(acknowledged_at, now()), acknowledged_by = coalesce(acknowledged_by, $2)
       WHERE id = $1 AND status IN ('open', 'acknowledged') RETURNING *`,
      [id, userId],
    );
  }

  async resolve(
    manager: EntityManager,
    id: string,
    userId: string | null,
    outcome: AlertOutcome,
    note: string | null,
  ): Promise<AlertView | null> {
    return this.changeOne(
      manager,
      `UPDATE alerts SET status = 'resolved', resolved_at = now(), resolved_by = $2, outcome = $3, note = coalesce($4, note), updated_at = now()
       WHERE id = $1 AND status <> 'resolved' RETURNING *`,
      [id, userId, outcome, note],
    );
  }

  /** The resident's open SOS/fall alerts raised within their cancel windows (CONTRACT: sos_cancel). */
  async findCancellable(
    manager: EntityManager,
    residentId: string,
    windows: Partial<Record<'sos' | 'fall', number>>,
    at: Date,
  ): Promise<string[]> {
    const rows = await manager.query<{ id: string }[]>(
      `SELECT id FROM alerts WHERE resident_id = $1 AND status <> 'resolved' AND (
         (kind = 'sos' AND opened_at >= $2::timestamptz - make_interval(secs => $3)) OR
         (kind = 'fall' AND opened_at >= $2::timestamptz - make_interval(secs => $4)))`,
      [residentId, at, windows.sos ?? 0, windows.fall ?? 0],
    );
    return rows.map((r) => r.id);
  }

  /** Device faults open (not yet dispatched) longer than `afterSeconds` that have not had their maintenance order. */
  async findDueForMaintenance(kinds: readonly AlertKind[], afterSeconds: number): Promise<AlertView[]> {
    const rows = await this.db.query<Row[]>(
      `${selectView('alerts')}
       WHERE a.status IN ('open', 'acknowledged') AND a.kind = ANY($1) AND a.maintenance_ordered_at IS NULL
         AND a.opened_at < now() - make_interval(secs => $2)
       ORDER BY a.opened_at LIMIT 100`,
      [kinds, afterSeconds],
    );
    return rows.map(toView);
  }

  /** Marks the alert's maintenance order as opened; only one caller (of any process) gets true. */
  async claimMaintenance(manager: EntityManager, id: string): Promise<boolean> {
    const [rows] = await manager.query<[{ id: string }[], number]>(
      `UPDATE alerts SET maintenance_ordered_at = now() WHERE id = $1 AND maintenance_ordered_at IS NULL
         AND status IN ('open', 'acknowledged') RETURNING id`,
      [id],
    );
    return rows.length > 0;
  }

  /** Raises the escalation level only if still unacknowledged and still at the level before. */
  async escalate(id: string, level: number, manager: EntityManager = this.db.manager): Promise<AlertView | null> {
    return this.changeOne(
      manager,
      `UPDATE alerts SET escalation_level = $2, updated_at = now() WHERE id = $1 AND status = 'open' AND escalation_level = $2 - 1 RETURNING *`,
      [id, level],
    );
  }

  /** Issue 12 item 3: a resident moved to another unit takes its unresolved alerts along. */
  async moveUnresolvedOfResident(manager: EntityManager, residentId: string, orgUnitId: string): Promise<string[]> {
    const [rows] = await manager.query<[{ id: string }[], number]>(
      `UPDATE alerts SET org_unit_id = $2, updated_at = now()
       WHERE resident_id = $1 AND status <> 'resolved' AND org_unit_id <> $2 RETURNING id`,
      [residentId, orgUnitId],
    );
    return rows.map((r) => r.id);
  }

  /** Runs a guarded single-row `UPDATE alerts … RETURNING *`: the changed alert's view, or null when the guard held. */
  private async changeOne(manager: EntityManager, update: string, params: unknown[]): Promise<AlertView | null> {
    const rows = await manager.query<Row[]>(changedView(update), params);
    return rows[0] ? toView(rows[0]) : null;
  }
}

import {
  Body,
  Controller,
  Get,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Post,
  Query,
  Res,
  type StreamableFile,
} from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { DataSource } from 'typeorm';
import { z } from 'zod';
import {
  ALERT_KINDS,
  ALERT_OUTCOMES,
  ALERT_STATUSES,
  type AlertView,
  RESOLVE_OUTCOMES,
  SEVERITIES,
} from '@anxin/contract';
import { AuditService } from '../audit/audit.service';
import { CurrentPrincipal, type Principal } from '../auth/principal';
import { Roles } from '../auth/roles.decorator';
import { DevicesService } from '../devices/devices.service';
import { ApiJsonBody } from '../http/openapi.util';
import { historyQuerySchema } from '../http/history-query.util';
import { commaList, parseInput } from '../http/parse-input.util';
import { ResidentsService } from '../residents/residents.service';
import { AlertsService } from './alerts.service';
import { ListExportsService } from '../exports/list-exports.service';
import { pageFor } from '../exports/list-export';
import { alertListSheet } from './alert-list-sheet';

const alertQuerySchema = z.intersection(
  z.object({
    status: commaList(ALERT_STATUSES).optional(),
    kind: commaList(ALERT_KINDS).optional(),
    severity: commaList(SEVERITIES).optional(),
    residentId: z.uuid().optional(),
    outcome: commaList(ALERT_OUTCOMES).optional(),
    /** Part of the resident's name (告警记录's search). */
    residentName: z.string().trim().min(1).max(100).optional(),
  }),
  historyQuerySchema,
);
export const acknowledgeSchema = z.strictObject({ note: z.string().max(2000).optional() });
export const resolveSchema = z.strictObject({
  outcome: z.enum(RESOLVE_OUTCOMES),
  note: z.string().max(2000).optional(),
});

@ApiTags('alerts')
@ApiBearerAuth()
@Roles('admin', 'operator')
@Controller('alerts')
export class AlertsController {
  constructor(
    private readonly alerts: AlertsService,
    private readonly residents: ResidentsService,
    private readonly devices: DevicesService,
    private readonly audit: AuditService,
    private readonly db: DataSource,
    private readonly exports: ListExportsService,
  ) {}

  /** CONTRACT §3: alerts of any status in the caller's scope, newest first (v1.1 history filters). */
  @Get()
  async list(
    @CurrentPrincipal() principal: Principal,
    @Query() query: unknown,
    @Res({ passthrough: true }) res: Response,
  ): Promise<AlertView[] | StreamableFile> {
    const q = parseInput(alertQuerySchema, query, 'query');
    const exporting = this.exports.requested(query);
    const page = pageFor(q, exporting);
    const [alerts, total] = await this.alerts.list(principal, {
      statuses: q.status,
      kinds: q.kind,
      severities: q.severity,
      residentId: q.residentId,
      outcomes: q.outcome,
      residentName: q.residentName,
      orgUnitId: q.orgUnitId,
      from: q.from,
      to: q.to,
      limit: page.limit,
      offset: page.offset,
    });
    if (exporting) return this.exports.send(res, principal, alertListSheet, alerts, total, q);
    res.setHeader('X-Total-Count', String(total));
    return alerts;
  }

  /** Everything an operator needs to act: resident record, devices, recent events, audit trail. */
  @Get(':id')
  async detail(@CurrentPrincipal() principal: Principal, @Param('id', ParseUUIDPipe) id: string) {
    const alert = await this.alerts.requireInScope(principal.scope, id);
    const [resident, [devices], events, audit] = await Promise.all([
      this.residents.requireInScope(principal.scope, alert.residentId),
      this.devices.list(principal, { residentId: alert.residentId, limit: 100, offset: 0 }),
      this.db.query<unknown[]>(
        `SELECT id::text, device_id AS "deviceId", type, device_ts AS "deviceTs", received_at AS "receivedAt", payload
         FROM device_events WHERE resident_id = $1 ORDER BY received_at DESC LIMIT 50`,
        [alert.residentId],
      ),
      this.audit.listRecent({ subjectId: id, limit: 100, offset: 0 }),
    ]);
    // Issue 16: people read the actors' display names (a caregiver's username means little to a station).
    const actorIds = [...new Set(audit.items.flatMap((e) => (e.actorId ? [e.actorId] : [])))];
    const names = new Map(
      (
        await this.db.query<{ id: string; name: string }[]>(
          `SELECT id, coalesce(display_name, username) AS name FROM users WHERE id = ANY($1::uuid[])`,
          [actorIds],
        )
      ).map((u) => [u.id, u.name]),
    );
    return {
      ...alert,
      resident,
      devices,
      events,
      audit: audit.items.map((e) => ({
        at: e.at,
        action: e.action,
        actorUsername: e.actorUsername,
        actorName: (e.actorId && names.get(e.actorId)) ?? e.actorUsername,
        detail: e.detail,
      })),
    };
  }

  @Post(':id/acknowledge')
  @HttpCode(200)
  @ApiJsonBody(acknowledgeSchema)
  acknowledge(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: unknown,
  ): Promise<AlertView> {
    return this.alerts.acknowledge(principal, id, parseInput(acknowledgeSchema, body ?? {}).note ?? null);
  }

  @Post(':id/resolve')
  @HttpCode(200)
  @ApiJsonBody(resolveSchema)
  resolve(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: unknown,
  ): Promise<AlertView> {
    const input = parseInput(resolveSchema, body);
    return this.alerts.resolve(principal, id, input.outcome, input.note ?? null);
  }
}

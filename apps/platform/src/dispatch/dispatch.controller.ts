import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { z } from 'zod';
import { dispatchForAlert, ORDER_KINDS, ORDER_STATUSES, RESOLVE_OUTCOMES } from '@anxin/contract';
import { AlertsService } from '../alerts/alerts.service';
import { CurrentPrincipal, type Principal } from '../auth/principal';
import { Roles } from '../auth/roles.decorator';
import { ApiJsonBody } from '../http/openapi.util';
import { historyQuerySchema } from '../http/history-query.util';
import { commaList, parseInput } from '../http/parse-input.util';
import { DispatchService } from './dispatch.service';
import { ListExportsService } from '../exports/list-exports.service';
import { pageFor } from '../exports/list-export';
import { orderListSheet } from './order-list-sheet';

export const dispatchAlertSchema = z.strictObject({
  kind: z.enum(ORDER_KINDS).optional(),
  note: z.string().max(2000).optional(),
  caregiverId: z.uuid().optional(),
});
export const createOrderSchema = z.strictObject({
  kind: z.enum(ORDER_KINDS),
  residentId: z.uuid(),
  notes: z.string().max(2000).optional(),
});
export const cancelOrderSchema = z.strictObject({ reason: z.string().trim().min(1).max(500) });
export const progressSchema = z.strictObject({
  status: z.enum(['en_route', 'on_site', 'completed']),
  note: z.string().max(2000).optional(),
  /** With `completed`: what it turned out to be (CONTRACT §3 v1.1); without one the operator resolves. */
  outcome: z.enum(RESOLVE_OUTCOMES).optional(),
});
const orderQuerySchema = z.intersection(
  z.object({
    status: commaList(ORDER_STATUSES).optional(),
    kind: commaList(ORDER_KINDS).optional(),
    residentId: z.uuid().optional(),
  }),
  historyQuerySchema,
);
const caregiverStatusSchema = z.strictObject({
  onDuty: z.boolean().optional(),
  lat: z.number().min(-90).max(90).optional(),
  lon: z.number().min(-180).max(180).optional(),
});

@ApiTags('dispatch')
@ApiBearerAuth()
@Controller()
export class DispatchController {
  constructor(
    private readonly dispatch: DispatchService,
    private readonly alerts: AlertsService,
    private readonly exports: ListExportsService,
  ) {}

  /** CONTRACT §3: → the created service order. */
  @Post('alerts/:id/dispatch')
  @Roles('admin', 'operator')
  @ApiJsonBody(dispatchAlertSchema)
  dispatchAlert(@CurrentPrincipal() p: Principal, @Param('id', ParseUUIDPipe) id: string, @Body() body: unknown) {
    return this.dispatch.dispatchAlert(p, id, parseInput(dispatchAlertSchema, body ?? {}));
  }

  @Get('alerts/:id/candidates')
  @Roles('admin', 'operator')
  async candidates(@CurrentPrincipal() p: Principal, @Param('id', ParseUUIDPipe) id: string, @Query() query: unknown) {
    const { kind } = parseInput(z.object({ kind: z.enum(ORDER_KINDS).optional() }), query, 'query');
    const alert = await this.alerts.requireInScope(p.scope, id);
    return this.dispatch.candidatesFor(kind ?? dispatchForAlert(alert.kind).orderKind, alert.orgUnitId, alert.kind);
  }

  @Get('orders')
  @Roles('admin', 'operator')
  async list(@CurrentPrincipal() p: Principal, @Query() query: unknown, @Res({ passthrough: true }) res: Response) {
    const q = parseInput(orderQuerySchema, query, 'query');
    const exporting = this.exports.requested(query);
    const page = pageFor(q, exporting);
    const [orders, total] = await this.dispatch.list(p, {
      statuses: q.status,
      kinds: q.kind,
      residentId: q.residentId,
      orgUnitId: q.orgUnitId,
      from: q.from,
      to: q.to,
      limit: page.limit,
      offset: page.offset,
    });
    if (exporting) return this.exports.send(res, p, orderListSheet, orders, total, q);
    res.setHeader('X-Total-Count', String(total));
    return orders;
  }

  @Post('orders')
  @Roles('admin', 'operator')
  @ApiJsonBody(createOrderSchema)
  create(@CurrentPrincipal() p: Principal, @Body() body: unknown) {
    return this.dispatch.createForResident(p, parseInput(createOrderSchema, body));
  }

  @Get('orders/:id')
  async get(@CurrentPrincipal() p: Principal, @Param('id', ParseUUIDPipe) id: string) {
    const order = await this.dispatch.requireInScope(p, id);
    return p.role === 'caregiver' ? this.dispatch.withResident(order, p.userId) : order;
  }

  @Post('orders/:id/cancel')
  @HttpCode(200)
  @Roles('admin', 'operator')
  @ApiJsonBody(cancelOrderSchema)
  cancel(@CurrentPrincipal() p: Principal, @Param('id', ParseUUIDPipe) id: string, @Body() body: unknown) {
    return this.dispatch.cancel(p, id, parseInput(cancelOrderSchema, body).reason);
  }

  @Post('orders/:id/accept')
  @HttpCode(200)
  @Roles('caregiver')
  async accept(@CurrentPrincipal() p: Principal, @Param('id', ParseUUIDPipe) id: string) {
    return this.dispatch.withResident(await this.dispatch.accept(p, id), p.userId);
  }

  @Post('orders/:id/decline')
  @HttpCode(200)
  @Roles('caregiver')
  decline(@CurrentPrincipal() p: Principal, @Param('id', ParseUUIDPipe) id: string) {
    return this.dispatch.decline(p, id);
  }

  @Post('orders/:id/progress')
  @HttpCode(200)
  @Roles('caregiver')
  @ApiJsonBody(progressSchema)
  async progress(@CurrentPrincipal() p: Principal, @Param('id', ParseUUIDPipe) id: string, @Body() body: unknown) {
    const input = parseInput(progressSchema, body);
    const order = await this.dispatch.progress(p, id, input.status, input.note ?? null, input.outcome ?? null);
    return this.dispatch.withResident(order, p.userId);
  }

  @Get('tasks/mine')
  @Roles('caregiver')
  async mine(@CurrentPrincipal() p: Principal) {
    return Promise.all(
      (await this.dispatch.listForCaregiver(p.userId)).map((o) => this.dispatch.withResident(o, p.userId)),
    );
  }

  /** A caregiver goes on or off duty and shares a position for distance ranking. */
  @Patch('caregivers/me')
  @Roles('caregiver')
  @ApiJsonBody(caregiverStatusSchema)
  async updateMe(@CurrentPrincipal() p: Principal, @Body() body: unknown) {
    await this.dispatch.updateCaregiverStatus(p, parseInput(caregiverStatusSchema, body));
    return { ok: true };
  }
}

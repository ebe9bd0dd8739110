import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { createCarePlanSchema, updateCarePlanSchema } from '@anxin/contract';
import { CurrentPrincipal, type Principal } from '../auth/principal';
import { Roles } from '../auth/roles.decorator';
import { ApiJsonBody } from '../http/openapi.util';
import { parseInput } from '../http/parse-input.util';
import { CarePlansService } from './care-plans.service';

const listQuerySchema = z.object({ residentId: z.uuid().optional(), orgUnitId: z.uuid().optional() });
const isoTime = z.iso.datetime({ offset: true }).transform((d) => new Date(d));
const MAX_SCHEDULE_DAYS = 31;
const scheduleQuerySchema = z
  .object({ from: isoTime, to: isoTime, orgUnitId: z.uuid().optional() })
  .refine((q) => q.from < q.to, { message: 'must be after from', path: ['to'] })
  .refine((q) => q.to.getTime() - q.from.getTime() <= MAX_SCHEDULE_DAYS * 86_400_000, {
    message: `at most ${MAX_SCHEDULE_DAYS} days after from`,
    path: ['to'],
  });

/** Care plans (issue 16): recurring 六助 services of a resident, scoped by the resident's org unit. */
@ApiTags('care-plans')
@ApiBearerAuth()
@Controller('care-plans')
export class CarePlansController {
  constructor(private readonly plans: CarePlansService) {}

  @Get()
  @Roles('admin', 'operator')
  list(@CurrentPrincipal() p: Principal, @Query() query: unknown) {
    return this.plans.list(p, parseInput(listQuerySchema, query, 'query'));
  }

  /** The plans' slots in `[from, to)` (a week in the console) with their orders' status. */
  @Get('schedule')
  @Roles('admin', 'operator')
  schedule(@CurrentPrincipal() p: Principal, @Query() query: unknown) {
    return this.plans.schedule(p, parseInput(scheduleQuerySchema, query, 'query'));
  }

  @Get(':id')
  @Roles('admin', 'operator')
  get(@CurrentPrincipal() p: Principal, @Param('id', ParseUUIDPipe) id: string) {
    return this.plans.require(p, id);
  }

  /** A recurring service (e.g. bathing every Tuesday 10:00); each slot's order is offered a lead time before it. */
  @Post()
  @Roles('admin', 'operator')
  @ApiJsonBody(createCarePlanSchema)
  create(@CurrentPrincipal() p: Principal, @Body() body: unknown) {
    return this.plans.create(p, parseInput(createCarePlanSchema, body));
  }

  /** Edit, pause or resume; pausing or moving slots withdraws the orders no caregiver has accepted. */
  @Patch(':id')
  @Roles('admin', 'operator')
  @ApiJsonBody(updateCarePlanSchema)
  update(@CurrentPrincipal() p: Principal, @Param('id', ParseUUIDPipe) id: string, @Body() body: unknown) {
    return this.plans.update(p, id, parseInput(updateCarePlanSchema, body));
  }

  @Post(':id/end')
  @HttpCode(200)
  @Roles('admin', 'operator')
  end(@CurrentPrincipal() p: Principal, @Param('id', ParseUUIDPipe) id: string) {
    return this.plans.end(p, id);
  }
}

import { Body, Controller, Get, Param, ParseUUIDPipe, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { z } from 'zod';
import { createResidentSchema, pageQuerySchema, type ProtectionState, updateResidentSchema } from '@anxin/contract';
import { CurrentPrincipal, type Principal } from '../auth/principal';
import { Roles } from '../auth/roles.decorator';
import { ApiJsonBody } from '../http/openapi.util';
import { parseInput } from '../http/parse-input.util';
import type { ResidentEntity } from './resident.entity';
import { ResidentsService } from './residents.service';

const residentQuerySchema = pageQuerySchema.extend({
  orgUnitId: z.uuid().optional(),
  q: z.string().max(100).optional(),
});

@ApiTags('residents')
@ApiBearerAuth()
@Roles('admin', 'operator')
@Controller('residents')
export class ResidentsController {
  constructor(private readonly residents: ResidentsService) {}

  @Post()
  @ApiJsonBody(createResidentSchema)
  create(@CurrentPrincipal() principal: Principal, @Body() body: unknown): Promise<ResidentEntity> {
    return this.residents.create(principal, parseInput(createResidentSchema, body));
  }

  @Get()
  async list(
    @CurrentPrincipal() principal: Principal,
    @Query() query: unknown,
    @Res({ passthrough: true }) res: Response,
  ): Promise<(ResidentEntity & ProtectionState)[]> {
    const [items, total] = await this.residents.list(principal, parseInput(residentQuerySchema, query, 'query'));
    res.setHeader('X-Total-Count', String(total));
    return this.residents.withProtection(items);
  }

  @Get(':id')
  async get(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
  ): Promise<ResidentEntity & ProtectionState> {
    const [resident] = await this.residents.withProtection([await this.residents.requireInScope(principal.scope, id)]);
    return resident!;
  }

  @Patch(':id')
  @ApiJsonBody(updateResidentSchema)
  update(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: unknown,
  ): Promise<ResidentEntity> {
    return this.residents.update(principal, id, parseInput(updateResidentSchema, body));
  }
}

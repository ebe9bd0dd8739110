import { Body, Controller, Get, Param, ParseUUIDPipe, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { createOrgUnitSchema, updateOrgUnitSchema } from '@anxin/contract';
import { CurrentPrincipal, type Principal } from '../auth/principal';
import { Roles } from '../auth/roles.decorator';
import { ApiJsonBody } from '../http/openapi.util';
import { parseInput } from '../http/parse-input.util';
import type { OrgUnitEntity } from './org-unit.entity';
import { OrgUnitsService } from './org-units.service';

@ApiTags('org-units')
@ApiBearerAuth()
@Controller('org-units')
export class OrgUnitsController {
  constructor(private readonly orgUnits: OrgUnitsService) {}

  @Post()
  @Roles('admin')
  @ApiJsonBody(createOrgUnitSchema)
  create(@CurrentPrincipal() principal: Principal, @Body() body: unknown): Promise<OrgUnitEntity> {
    return this.orgUnits.create(principal, parseInput(createOrgUnitSchema, body));
  }

  @Get()
  @Roles('admin', 'operator')
  list(@CurrentPrincipal() principal: Principal): Promise<OrgUnitEntity[]> {
    return this.orgUnits.list(principal);
  }

  @Get(':id')
  @Roles('admin', 'operator')
  get(@CurrentPrincipal() principal: Principal, @Param('id', ParseUUIDPipe) id: string): Promise<OrgUnitEntity> {
    return this.orgUnits.requireInScope(principal.scope, id);
  }

  @Patch(':id')
  @Roles('admin')
  @ApiJsonBody(updateOrgUnitSchema)
  update(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: unknown,
  ): Promise<OrgUnitEntity> {
    return this.orgUnits.update(principal, id, parseInput(updateOrgUnitSchema, body));
  }
}

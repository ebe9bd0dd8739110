import { Body, Controller, Get, Param, ParseUUIDPipe, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { SERVICE_ORG_KINDS } from '@anxin/contract';
import { CurrentPrincipal, type Principal } from '../auth/principal';
import { Roles } from '../auth/roles.decorator';
import { ApiJsonBody } from '../http/openapi.util';
import { parseInput } from '../http/parse-input.util';
import { ServiceOrgsService } from './service-orgs.service';

export const serviceOrgSchema = z.strictObject({
  name: z.string().trim().min(1).max(100),
  kind: z.enum(SERVICE_ORG_KINDS),
  // A unit named twice is served once (issue 12 item 11: never a 500 from the primary key).
  orgUnitIds: z
    .array(z.uuid())
    .min(1)
    .max(200)
    .transform((ids) => [...new Set(ids.map((id) => id.toLowerCase()))]),
});
/** What is given changes; a unit list replaces the one before. */
export const updateServiceOrgSchema = serviceOrgSchema
  .partial()
  .refine((body) => Object.keys(body).length > 0, 'expected at least one of name, kind, orgUnitIds');

@ApiTags('dispatch')
@ApiBearerAuth()
@Controller('service-orgs')
export class ServiceOrgsController {
  constructor(private readonly serviceOrgs: ServiceOrgsService) {}

  @Post()
  @Roles('admin')
  @ApiJsonBody(serviceOrgSchema)
  create(@CurrentPrincipal() p: Principal, @Body() body: unknown) {
    return this.serviceOrgs.create(p, parseInput(serviceOrgSchema, body));
  }

  /** Only organisations serving a unit in the caller's scope, with the units of the scope they serve. */
  @Get()
  @Roles('admin', 'operator')
  list(@CurrentPrincipal() p: Principal) {
    return this.serviceOrgs.list(p);
  }

  /** As the list shows it; not found when it serves none of the caller's units. */
  @Get(':id')
  @Roles('admin', 'operator')
  get(@CurrentPrincipal() p: Principal, @Param('id', ParseUUIDPipe) id: string) {
    return this.serviceOrgs.get(p, id);
  }

  /** Its caregivers in the caller's scope: id, username, displayName, orgUnitId, onDuty, disabled, skills. */
  @Get(':id/members')
  @Roles('admin', 'operator')
  members(@CurrentPrincipal() p: Principal, @Param('id', ParseUUIDPipe) id: string) {
    return this.serviceOrgs.members(p, id);
  }

  @Patch(':id')
  @Roles('admin')
  @ApiJsonBody(updateServiceOrgSchema)
  update(@CurrentPrincipal() p: Principal, @Param('id', ParseUUIDPipe) id: string, @Body() body: unknown) {
    return this.serviceOrgs.update(p, id, parseInput(updateServiceOrgSchema, body));
  }
}

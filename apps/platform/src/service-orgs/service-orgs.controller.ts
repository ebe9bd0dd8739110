import { Body, Controller, Get, Post } from '@nestjs/common';
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
}

import { Body, Controller, Get, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { type RetentionSettings, retentionSettingsSchema } from '@anxin/contract';
import { CurrentPrincipal, type Principal } from '../auth/principal';
import { Roles } from '../auth/roles.decorator';
import { ApiJsonBody } from '../http/openapi.util';
import { parseInput } from '../http/parse-input.util';
import { RetentionService } from './retention.service';

/** Issue 16: `{deviceEventsDays, alertsDays, ordersDays, auditLogDays}`, days or null (kept forever). */
@ApiTags('settings')
@ApiBearerAuth()
@Roles('admin')
@Controller('settings/retention')
export class RetentionController {
  constructor(private readonly retention: RetentionService) {}

  @Get()
  get(): Promise<RetentionSettings> {
    return this.retention.settings();
  }

  @Put()
  @ApiJsonBody(retentionSettingsSchema)
  update(@CurrentPrincipal() principal: Principal, @Body() body: unknown): Promise<RetentionSettings> {
    return this.retention.update(principal, parseInput(retentionSettingsSchema, body));
  }
}

import { Body, Controller, Get, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { deviceCommandSchema } from '@anxin/contract';
import { CurrentPrincipal, type Principal } from '../auth/principal';
import { Roles } from '../auth/roles.decorator';
import { ApiJsonBody } from '../http/openapi.util';
import { parseInput } from '../http/parse-input.util';
import type { DeviceCommandRow } from './commands.repository';
import { CommandsService } from './commands.service';

@ApiTags('devices')
@ApiBearerAuth()
@Roles('admin', 'operator')
@Controller('devices/:id/commands')
export class CommandsController {
  constructor(private readonly commands: CommandsService) {}

  /** Published to the device's commands topic at QoS 1 (CONTRACT §2). */
  @Post()
  @ApiJsonBody(deviceCommandSchema)
  send(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: unknown,
  ): Promise<DeviceCommandRow> {
    const input = parseInput(deviceCommandSchema, body);
    return this.commands.send(principal, id, input.name, input.params ?? {});
  }

  @Get()
  list(@CurrentPrincipal() principal: Principal, @Param('id', ParseUUIDPipe) id: string): Promise<DeviceCommandRow[]> {
    return this.commands.list(principal, id);
  }
}

import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { z } from 'zod';
import { createDeviceSchema, DEVICE_TYPES, pageQuerySchema, updateDeviceSchema } from '@anxin/contract';
import { CurrentPrincipal, type Principal } from '../auth/principal';
import { Roles } from '../auth/roles.decorator';
import { ApiJsonBody } from '../http/openapi.util';
import { parseInput } from '../http/parse-input.util';
import type { DeviceView } from './device.view';
import { DevicesService } from './devices.service';

const flag = z.enum(['true', 'false']).transform((v) => v === 'true');
const deviceQuerySchema = pageQuerySchema.extend({
  type: z.enum(DEVICE_TYPES).optional(),
  residentId: z.uuid().optional(),
  online: flag.optional(),
  enabled: flag.optional(),
  rejecting: flag.optional(),
});

@ApiTags('devices')
@ApiBearerAuth()
@Roles('admin', 'operator')
@Controller('devices')
export class DevicesController {
  constructor(private readonly devices: DevicesService) {}

  @Post()
  @ApiJsonBody(createDeviceSchema)
  create(@CurrentPrincipal() principal: Principal, @Body() body: unknown): Promise<DeviceView & { secret: string }> {
    return this.devices.create(principal, parseInput(createDeviceSchema, body));
  }

  @Get()
  async list(
    @CurrentPrincipal() principal: Principal,
    @Query() query: unknown,
    @Res({ passthrough: true }) res: Response,
  ): Promise<DeviceView[]> {
    const [items, total] = await this.devices.list(principal, parseInput(deviceQuerySchema, query, 'query'));
    res.setHeader('X-Total-Count', String(total));
    return items;
  }

  @Get(':id')
  get(@CurrentPrincipal() principal: Principal, @Param('id', ParseUUIDPipe) id: string): Promise<DeviceView> {
    return this.devices.get(principal, id);
  }

  @Patch(':id')
  @ApiJsonBody(updateDeviceSchema)
  update(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: unknown,
  ): Promise<DeviceView> {
    return this.devices.update(principal, id, parseInput(updateDeviceSchema, body));
  }

  @Post(':id/rotate-secret')
  @HttpCode(200)
  rotateSecret(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
  ): Promise<DeviceView & { secret: string }> {
    return this.devices.rotateSecret(principal, id);
  }
}

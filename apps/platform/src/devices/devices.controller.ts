import {
  Body,
  Controller,
  Get,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Patch,
  Post,
  Query,
  Req,
  Res,
  type StreamableFile,
} from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { createDeviceSchema, DEVICE_TYPES, pageQuerySchema, updateDeviceSchema } from '@anxin/contract';
import { CurrentPrincipal, type Principal } from '../auth/principal';
import { Roles } from '../auth/roles.decorator';
import { AcceptsSpreadsheet, spreadsheetUpload, templateDownload } from '../http/file-upload';
import { ApiJsonBody } from '../http/openapi.util';
import { parseInput } from '../http/parse-input.util';
import type { DeviceView } from './device.view';
import { deviceTemplate } from './device-import';
import { DevicesService } from './devices.service';
import { ListExportsService } from '../exports/list-exports.service';
import { pageFor } from '../exports/list-export';
import { deviceListSheet } from './device-list-sheet';

const flag = z.enum(['true', 'false']).transform((v) => v === 'true');
const deviceQuerySchema = pageQuerySchema.extend({
  type: z.enum(DEVICE_TYPES).optional(),
  residentId: z.uuid().optional(),
  online: flag.optional(),
  enabled: flag.optional(),
  rejecting: flag.optional(),
  batteryAtMost: z.coerce.number().int().min(0).max(100).optional(),
});

@ApiTags('devices')
@ApiBearerAuth()
@Roles('admin', 'operator')
@Controller('devices')
export class DevicesController {
  constructor(
    private readonly devices: DevicesService,
    private readonly exports: ListExportsService,
  ) {}

  @Post()
  @ApiJsonBody(createDeviceSchema)
  create(@CurrentPrincipal() principal: Principal, @Body() body: unknown): Promise<DeviceView & { secret: string }> {
    return this.devices.create(principal, parseInput(createDeviceSchema, body));
  }

  /** The bulk provisioning template (issue 16). */
  @Get('import-template')
  template(@Query() query: unknown, @Res({ passthrough: true }) res: Response): Promise<StreamableFile> {
    return templateDownload(query, res, '设备导入模板', 'device-import-template', deviceTemplate);
  }

  /** Devices for existing residents from a sheet; like the residents import, all or none. Secrets are in the answer once. */
  @Post('import')
  @HttpCode(200)
  @AcceptsSpreadsheet()
  async import(
    @CurrentPrincipal() principal: Principal,
    @Query() query: unknown,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ) {
    const { file, kind, dryRun } = spreadsheetUpload(req, query);
    const result = await this.devices.importDevices(principal, file, kind, dryRun);
    if (!result.dryRun && result.errors.length > 0) res.status(422);
    return result;
  }

  @Get()
  async list(
    @CurrentPrincipal() principal: Principal,
    @Query() query: unknown,
    @Res({ passthrough: true }) res: Response,
  ): Promise<DeviceView[] | StreamableFile> {
    const q = parseInput(deviceQuerySchema, query, 'query');
    const exporting = this.exports.requested(query);
    const [items, total] = await this.devices.list(principal, pageFor(q, exporting));
    if (exporting) return this.exports.send(res, principal, deviceListSheet, items, total, q);
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

import {
  Controller,
  Get,
  HttpCode,
  Inject,
  Param,
  ParseUUIDPipe,
  Post,
  Query,
  Res,
  type StreamableFile,
} from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { residentExportQuerySchema } from '@anxin/contract';
import { CurrentPrincipal, type Principal } from '../auth/principal';
import { Roles } from '../auth/roles.decorator';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { attachment, XLSX_TYPE } from '../http/file-upload';
import { parseInput } from '../http/parse-input.util';
import { tablesXlsx } from '../http/spreadsheet';
import { type ErasureResult, PersonalDataService } from './personal-data.service';
import { type ResidentExport, residentExportTables } from './resident-export.util';

/** Issue 16 (PIPL): a resident's data exported in full, or erased; admins only, both audited. */
@ApiTags('residents')
@ApiBearerAuth()
@Roles('admin')
@Controller('residents')
export class PersonalDataController {
  constructor(
    private readonly personalData: PersonalDataService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** `?format=json|xlsx&days=30`: the archive in clear, contacts, devices, plans, alerts, orders, recent events. */
  @Get(':id/export')
  async export(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
    @Query() query: unknown,
    @Res({ passthrough: true }) res: Response,
  ): Promise<ResidentExport | StreamableFile> {
    const q = parseInput(residentExportQuerySchema, query, 'query');
    const data = await this.personalData.exportResident(principal, id, q.days, q.format);
    res.setHeader('Cache-Control', 'no-store');
    if (q.format === 'json') return data;
    const file = await tablesXlsx(residentExportTables(data, this.config.time.timezone));
    const day = data.exportedAt.slice(0, 10);
    return attachment(
      res,
      `老人档案导出_${data.resident.name}_${day}.xlsx`,
      `resident-export_${day}.xlsx`,
      XLSX_TYPE,
      file,
    );
  }

  /** Anonymises the resident (name, address, phone, ID number, contacts …), disables its devices, closes what is open. */
  @Post(':id/erase')
  @HttpCode(200)
  erase(@CurrentPrincipal() principal: Principal, @Param('id', ParseUUIDPipe) id: string): Promise<ErasureResult> {
    return this.personalData.erase(principal, id);
  }
}

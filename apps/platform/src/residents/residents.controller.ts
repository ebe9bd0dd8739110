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
import { createResidentSchema, pageQuerySchema, type ProtectionState, updateResidentSchema } from '@anxin/contract';
import { CurrentPrincipal, type Principal } from '../auth/principal';
import { Roles } from '../auth/roles.decorator';
import { AcceptsSpreadsheet, spreadsheetUpload, templateDownload } from '../http/file-upload';
import { ApiJsonBody } from '../http/openapi.util';
import { parseInput } from '../http/parse-input.util';
import type { ResidentEntity } from './resident.entity';
import { residentTemplate } from './resident-import';
import { ResidentsService } from './residents.service';
import type { ImportResult } from '../http/spreadsheet';
import { ListExportsService } from '../exports/list-exports.service';
import { pageFor } from '../exports/list-export';
import { residentListSheet } from './resident-list-sheet';

const residentQuerySchema = pageQuerySchema.extend({
  orgUnitId: z.uuid().optional(),
  q: z.string().max(100).optional(),
});

@ApiTags('residents')
@ApiBearerAuth()
@Roles('admin', 'operator')
@Controller('residents')
export class ResidentsController {
  constructor(
    private readonly residents: ResidentsService,
    private readonly exports: ListExportsService,
  ) {}

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
  ): Promise<(ResidentEntity & ProtectionState)[] | StreamableFile> {
    const q = parseInput(residentQuerySchema, query, 'query');
    const exporting = this.exports.requested(query);
    const [items, total] = await this.residents.list(principal, pageFor(q, exporting));
    const rows = await this.residents.withProtection(items);
    if (exporting) return this.exports.send(res, principal, residentListSheet, rows, total, q);
    res.setHeader('X-Total-Count', String(total));
    return rows;
  }

  /** The import template (issue 16): Chinese headers and one example row. */
  @Get('import-template')
  template(@Query() query: unknown, @Res({ passthrough: true }) res: Response): Promise<StreamableFile> {
    return templateDownload(query, res, '老人档案导入模板', 'resident-import-template', residentTemplate);
  }

  /**
   * Residents from an XLSX or CSV body. `dryRun=true` only checks, listing every row's errors; otherwise
   * all rows are written or, if any has an error, none (422 with the errors).
   */
  @Post('import')
  @HttpCode(200)
  @AcceptsSpreadsheet()
  async import(
    @CurrentPrincipal() principal: Principal,
    @Query() query: unknown,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<ImportResult> {
    const { file, kind, dryRun } = spreadsheetUpload(req, query);
    const result = await this.residents.importResidents(principal, file, kind, dryRun);
    if (!result.dryRun && result.errors.length > 0) res.status(422);
    return result;
  }

  @Get(':id')
  async get(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
  ): Promise<ResidentEntity & ProtectionState> {
    return this.residents.readDetail(principal, id);
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

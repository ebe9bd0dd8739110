import { Controller, Get, Inject, Query, Res, type StreamableFile } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { z } from 'zod';
import { type AlertReport, type DeviceReport, type OrderReport, quarterPeriod } from '@anxin/contract';
import { CurrentPrincipal, type Principal } from '../auth/principal';
import { Roles } from '../auth/roles.decorator';
import { attachment, XLSX_TYPE } from '../http/file-upload';
import { parseInput } from '../http/parse-input.util';
import { type SheetTable, tablesCsv, tablesXlsx } from '../http/spreadsheet';
import { OrgUnitsService } from '../org-units/org-units.service';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { alertReportTables, deviceReportTables, orderReportTables } from './report-files';
import { ReportsRepository, type ReportWindow } from './reports.repository';

const isoTime = z.iso.datetime({ offset: true }).transform((d) => new Date(d));
const reportQuerySchema = z
  .strictObject({
    from: isoTime,
    to: isoTime,
    orgUnitId: z.uuid().optional(),
    format: z.enum(['json', 'csv', 'xlsx']).default('json'),
  })
  .refine((q) => q.from < q.to, { message: 'from must be before to', path: ['from'] });

const quarterlyQuerySchema = z.strictObject({
  year: z.coerce.number().int().min(2000).max(2100),
  quarter: z.coerce.number().int().min(1).max(4),
  orgUnitId: z.uuid().optional(),
});

/** CONTRACT §3 "History and reports" (issue 15): the supervisors' figures, scoped like everything else. */
@ApiTags('reports')
@ApiBearerAuth()
@Roles('admin', 'operator')
@Controller('reports')
export class ReportsController {
  constructor(
    private readonly reports: ReportsRepository,
    private readonly units: OrgUnitsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get('alerts')
  async alerts(@CurrentPrincipal() p: Principal, @Query() query: unknown, @Res({ passthrough: true }) res: Response) {
    const q = await this.window(p, query);
    const report: AlertReport = await this.reports.alerts(p.scope, q);
    return this.answer(res, q.format, report, alertReportTables, '告警报表', 'alert-report');
  }

  @Get('orders')
  async orders(@CurrentPrincipal() p: Principal, @Query() query: unknown, @Res({ passthrough: true }) res: Response) {
    const q = await this.window(p, query);
    const report: OrderReport = await this.reports.orders(p.scope, q);
    return this.answer(res, q.format, report, orderReportTables, '工单报表', 'order-report');
  }

  @Get('devices')
  async devices(@CurrentPrincipal() p: Principal, @Query() query: unknown, @Res({ passthrough: true }) res: Response) {
    const q = await this.window(p, query);
    const report: DeviceReport = await this.reports.devices(p.scope, q);
    return this.answer(res, q.format, report, deviceReportTables, '设备报表', 'device-report');
  }

  /** 季度报表 for the civil-affairs bureau: one XLSX, a sheet per topic, for a quarter in the platform's time zone. */
  @Get('quarterly')
  async quarterly(
    @CurrentPrincipal() p: Principal,
    @Query() query: unknown,
    @Res({ passthrough: true }) res: Response,
  ) {
    const q = parseInput(quarterlyQuerySchema, query, 'query');
    if (q.orgUnitId) await this.units.requireInScope(p.scope, q.orgUnitId);
    const timeZone = this.config.time.timezone;
    const w = { ...quarterPeriod(q.year, q.quarter, timeZone), orgUnitId: q.orgUnitId, timeZone };
    const [alerts, orders, devices] = await Promise.all([
      this.reports.alerts(p.scope, w),
      this.reports.orders(p.scope, w),
      this.reports.devices(p.scope, w),
    ]);
    const tables = [...alertReportTables(alerts), ...orderReportTables(orders), ...deviceReportTables(devices)];
    return attachment(
      res,
      `季度报表_${q.year}Q${q.quarter}.xlsx`,
      `quarterly-report_${q.year}Q${q.quarter}.xlsx`,
      XLSX_TYPE,
      await tablesXlsx(tables),
    );
  }

  /** The period and unit asked for; a unit outside the caller's scope is 404, as anywhere else. */
  private async window(p: Principal, query: unknown): Promise<ReportWindow & { format: 'json' | 'csv' | 'xlsx' }> {
    const q = parseInput(reportQuerySchema, query, 'query');
    if (q.orgUnitId) await this.units.requireInScope(p.scope, q.orgUnitId);
    return { ...q, timeZone: this.config.time.timezone };
  }

  private async answer<R extends { from: string; to: string }>(
    res: Response,
    format: 'json' | 'csv' | 'xlsx',
    report: R,
    tables: (report: R) => SheetTable[],
    title: string,
    asciiName: string,
  ): Promise<R | StreamableFile> {
    if (format === 'json') return report;
    const period = `${report.from.slice(0, 10)}_${report.to.slice(0, 10)}`;
    const [name, ascii] = [`${title}_${period}.${format}`, `${asciiName}_${period}.${format}`];
    return format === 'csv'
      ? attachment(res, name, ascii, 'text/csv; charset=utf-8', Buffer.from(tablesCsv(tables(report)), 'utf8'))
      : attachment(res, name, ascii, XLSX_TYPE, await tablesXlsx(tables(report)));
  }
}

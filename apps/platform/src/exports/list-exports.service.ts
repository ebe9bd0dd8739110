import { Inject, Injectable, type StreamableFile } from '@nestjs/common';
import type { Response } from 'express';
import { DataSource } from 'typeorm';
import { localDateTimeText } from '@anxin/contract';
import { AuditService } from '../audit/audit.service';
import type { Principal } from '../auth/principal';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { AppError } from '../errors/app.errors';
import { attachment, XLSX_TYPE } from '../http/file-upload';
import { tablesXlsx } from '../http/spreadsheet';
import { type ExportNames, type ListSheet, listFormatSchema, MAX_EXPORT_ROWS } from './list-export';
import { parseInput } from '../http/parse-input.util';

/**
 * Every list page exports what it shows (issue 16): the rows its filters match, across pages, with names
 * instead of ids and local times. Each export is audited: a file of residents is personal data leaving.
 */
@Injectable()
export class ListExportsService {
  constructor(
    private readonly db: DataSource,
    private readonly audit: AuditService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** True when the call asks for a file (`?format=xlsx`); a bad format is a 400 naming it. */
  requested(query: unknown): boolean {
    return parseInput(listFormatSchema, query, 'query').format === 'xlsx';
  }

  async send<T>(
    res: Response,
    principal: Principal,
    sheet: ListSheet<T>,
    rows: T[],
    total: number,
    filters: Record<string, unknown>,
  ): Promise<StreamableFile> {
    if (total > MAX_EXPORT_ROWS)
      throw new AppError(
        'invalid_input',
        `format: ${total} rows match, more than the ${MAX_EXPORT_ROWS} an export holds; narrow the filters (period, unit)`,
      );
    const names = await this.names(sheet, rows);
    const file = await tablesXlsx([
      {
        name: sheet.title,
        header: sheet.columns.map((c) => c.header),
        rows: rows.map((row) => sheet.columns.map((c) => c.cell(row, names))),
        widths: sheet.columns.map((c) => c.width ?? 16),
      },
    ]);
    await this.audit.record({
      actor: principal,
      action: 'list.export',
      subjectType: 'list',
      subjectId: sheet.asciiName,
      orgUnitId: principal.orgUnitId,
      detail: { rows: rows.length, filters: auditedFilters(filters) },
    });
    const day = localDateTimeText(new Date(), this.config.time.timezone).slice(0, 10);
    return attachment(res, `${sheet.title}_${day}.xlsx`, `${sheet.asciiName}_${day}.xlsx`, XLSX_TYPE, file);
  }

  private async names<T>(sheet: ListSheet<T>, rows: T[]): Promise<ExportNames> {
    const residentIds = new Set<string>();
    const userIds = new Set<string>();
    for (const row of rows) {
      const refs = sheet.refs?.(row);
      refs?.residents?.forEach((id) => id && residentIds.add(id));
      refs?.users?.forEach((id) => id && userIds.add(id));
    }
    const named = async (sql: string, params: unknown[]) =>
      new Map((await this.db.query<{ id: string; name: string }[]>(sql, params)).map((r) => [r.id, r.name]));
    const [units, residents, users] = await Promise.all([
      named(`SELECT id, name FROM org_units`, []),
      named(`SELECT id, name FROM residents WHERE id = ANY($1::uuid[])`, [[...residentIds]]),
      named(`SELECT id, coalesce(display_name, username) AS name FROM users WHERE id = ANY($1::uuid[])`, [
        [...userIds],
      ]),
    ]);
    const timeZone = this.config.time.timezone;
    const name = (map: Map<string, string>) => (id: string | null | undefined) => (id ? (map.get(id) ?? id) : '');
    return {
      unit: name(units),
      resident: name(residents),
      user: name(users),
      time: (at) => (at ? localDateTimeText(at, timeZone) : ''),
    };
  }
}

/** Searches typed as text (a name, an address) are personal data: the audit notes only that one was used. */
const FREE_TEXT_FILTERS = new Set(['q', 'residentName']);

/** The filters an export was made with, for its audit row: set ones only, free text as `true`. */
function auditedFilters(filters: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(filters)
      .filter(([k, v]) => v !== undefined && v !== '' && k !== 'limit' && k !== 'offset')
      .map(([k, v]) => [k, FREE_TEXT_FILTERS.has(k) ? true : v]),
  );
}

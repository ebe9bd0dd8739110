import { SetMetadata } from '@nestjs/common';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { AppError } from '../errors/app.errors';
import { parseInput } from './parse-input.util';
import { StreamableFile } from '@nestjs/common';

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
export const CSV_TYPE = 'text/csv';
/** Spreadsheets uploaded to a route marked @AcceptsSpreadsheet() arrive as a Buffer (platform.ts). */
export const SPREADSHEET_TYPES = [XLSX_TYPE, CSV_TYPE];
export const MAX_SPREADSHEET_BYTES = 20 * 1024 * 1024;

export const ACCEPTS_SPREADSHEET = 'anxin:accepts-spreadsheet';
/** The route takes an XLSX or CSV body instead of JSON (InputTextGuard lets it through). */
export const AcceptsSpreadsheet = () => SetMetadata(ACCEPTS_SPREADSHEET, true);

/** A download: the Chinese file name for browsers that read RFC 5987, an ASCII one for the rest. */
export function attachment(res: Response, name: string, asciiName: string, type: string, body: Buffer): StreamableFile {
  res.setHeader(
    'Content-Disposition',
    `attachment; filename="${asciiName}"; filename*=UTF-8''${encodeURIComponent(name)}`,
  );
  res.setHeader('Content-Type', type);
  return new StreamableFile(body);
}

const templateQuerySchema = z.strictObject({ format: z.enum(['xlsx', 'csv']).default('xlsx') });
const importQuerySchema = z.strictObject({ dryRun: z.enum(['true', 'false']).default('false') });

/** An import template download (`?format=xlsx|csv`) named `name` (Chinese) / `asciiName`. */
export async function templateDownload(
  query: unknown,
  res: Response,
  name: string,
  asciiName: string,
  build: (format: 'xlsx' | 'csv') => Promise<Buffer>,
): Promise<StreamableFile> {
  const { format } = parseInput(templateQuerySchema, query, 'query');
  const type = format === 'xlsx' ? XLSX_TYPE : `${CSV_TYPE}; charset=utf-8`;
  return attachment(res, `${name}.${format}`, `${asciiName}.${format}`, type, await build(format));
}

/** An uploaded sheet: its bytes, its kind, and `?dryRun=true`; an empty or non-spreadsheet body is a 400. */
export function spreadsheetUpload(
  req: Request,
  query: unknown,
): { file: Buffer; kind: 'xlsx' | 'csv'; dryRun: boolean } {
  const { dryRun } = parseInput(importQuerySchema, query, 'query');
  if (!Buffer.isBuffer(req.body) || req.body.length === 0)
    throw new AppError('invalid_input', `body: expected an XLSX (${XLSX_TYPE}) or CSV (${CSV_TYPE}) file`);
  return { file: req.body, kind: req.is(CSV_TYPE) ? 'csv' : 'xlsx', dryRun: dryRun === 'true' };
}

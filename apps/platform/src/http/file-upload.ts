import { SetMetadata } from '@nestjs/common';
import type { Response } from 'express';
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

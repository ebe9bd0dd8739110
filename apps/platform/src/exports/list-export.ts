import { z } from 'zod';
import type { SheetCell } from '../http/spreadsheet';

/** A list call's `?format=`: `json` (a page) or `xlsx` (every row its filters match, as a file). */
export const listFormatSchema = z.object({ format: z.enum(['json', 'xlsx']).default('json') });

/** More rows than this is refused: a file that size is a backup, not a list someone reads. */
export const MAX_EXPORT_ROWS = 50_000;

/** Names of what a row refers to, resolved once per file, and times on the platform's clock. */
export interface ExportNames {
  unit(id: string | null | undefined): string;
  resident(id: string | null | undefined): string;
  user(id: string | null | undefined): string;
  time(at: Date | string | null | undefined): string;
}

export interface ExportColumn<T> {
  header: string;
  width?: number;
  cell: (row: T, names: ExportNames) => SheetCell;
}

/** How one list page becomes a file: its Chinese title, an ASCII file name, and its columns. */
export interface ListSheet<T> {
  title: string;
  asciiName: string;
  columns: ExportColumn<T>[];
  /** The residents and users the rows name (org units are all known). */
  refs?: (row: T) => { residents?: (string | null)[]; users?: (string | null)[] };
}

/** The paging a list call runs with: the page asked for, or everything when a file is asked for. */
export function pageFor<Q extends { limit: number; offset: number }>(q: Q, exporting: boolean): Q {
  return exporting ? { ...q, limit: MAX_EXPORT_ROWS, offset: 0 } : q;
}

import { Readable } from 'node:stream';
import ExcelJS from 'exceljs';

/** One problem of one row, as an import's dry run lists them (row = the sheet's row number). */
export interface RowError {
  row: number;
  column: string;
  message: string;
}

/** A data row of a sheet: its row number and its cells by header. */
export interface SheetRow {
  row: number;
  cells: Record<string, string>;
}

export const MAX_IMPORT_ROWS = 10_000;

/** A template to download: the header row (bold) and one example row. */
export async function sheetTemplate(
  name: string,
  header: string[],
  example: string[],
  format: 'xlsx' | 'csv',
): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  const sheet = book.addWorksheet(name);
  sheet.addRow(header).font = { bold: true };
  sheet.addRow(example);
  sheet.columns.forEach((c) => (c.width = 18));
  if (format === 'csv') return Buffer.concat([Buffer.from('\uFEFF'), Buffer.from(await book.csv.writeBuffer())]);
  return Buffer.from(await book.xlsx.writeBuffer());
}

/** A cell as text: dates as YYYY-MM-DD (Excel keeps them as UTC midnights), numbers as written. */
function cellText(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  if (typeof value === 'object') {
    if ('text' in value && typeof value.text === 'string') return value.text.trim(); // hyperlinks
    if ('richText' in value)
      return value.richText
        .map((r) => r.text)
        .join('')
        .trim();
    if ('result' in value) return cellText(value.result); // formulas
    return '';
  }
  return String(value).trim();
}

/** The first sheet's rows as {header: text}, with their row numbers; a missing required column is an error. */
export async function readSheet(
  file: Buffer,
  kind: 'xlsx' | 'csv',
  required: string[],
): Promise<{ rows: SheetRow[]; errors: RowError[] }> {
  const book = new ExcelJS.Workbook();
  if (kind === 'xlsx') await book.xlsx.load(file as unknown as ArrayBuffer);
  else await book.csv.read(Readable.from(file.toString('utf8').replace(/^\uFEFF/, '')));
  const sheet = book.worksheets[0];
  if (!sheet) return { rows: [], errors: [{ row: 1, column: '', message: '文件中没有工作表' }] };
  const headers = new Map<number, string>();
  sheet.getRow(1).eachCell((cell, col) => headers.set(col, cellText(cell.value)));
  const present = new Set(headers.values());
  const errors = required.filter((h) => !present.has(h)).map((column) => ({ row: 1, column, message: '缺少此列' }));
  const rows: SheetRow[] = [];
  sheet.eachRow((r, row) => {
    if (row === 1) return;
    const cells: Record<string, string> = {};
    r.eachCell((cell, col) => {
      const header = headers.get(col);
      if (header) cells[header] = cellText(cell.value);
    });
    if (Object.values(cells).some((v) => v !== '')) rows.push({ row, cells });
  });
  return { rows, errors };
}

/** A sheet to import: unreadable files and sheets over MAX_IMPORT_ROWS are one error each, like a bad row. */
export async function loadSheet(
  file: Buffer,
  kind: 'xlsx' | 'csv',
  required: string[],
): Promise<{ rows: SheetRow[]; errors: RowError[] }> {
  const sheet = await readSheet(file, kind, required).catch(() => null);
  if (!sheet)
    return { rows: [], errors: [{ row: 0, column: '', message: '无法读取文件：请使用模板的 XLSX 或 CSV 格式' }] };
  if (sheet.rows.length > MAX_IMPORT_ROWS)
    sheet.errors.push({
      row: 0,
      column: '',
      message: `一次最多导入 ${MAX_IMPORT_ROWS} 行，本文件有 ${sheet.rows.length} 行`,
    });
  return sheet;
}

/** What an import answers: the rows read, how many were written (0 on a dry run or any error), every error. */
export interface ImportResult {
  dryRun: boolean;
  rows: number;
  imported: number;
  errors: RowError[];
}

export type SheetCell = string | number | null;

/** One table of a file to download: a CSV section, an XLSX sheet. `percentRows`: rows holding a 0..1 fraction. */
export interface SheetTable {
  name: string;
  header: string[];
  rows: SheetCell[][];
  percentRows?: number[];
  /** Column widths in characters; by default 24 for the first and 40 for the rest. */
  widths?: number[];
}

const csvCell = (value: SheetCell): string => {
  const text = value === null ? '' : String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};

/** Tables one after another, each under its name, a blank line between; with a BOM so Excel reads UTF-8. */
export function tablesCsv(tables: SheetTable[]): string {
  const lines: string[] = [];
  for (const t of tables) {
    if (lines.length > 0) lines.push('');
    lines.push(csvCell(t.name), t.header.map(csvCell).join(','), ...t.rows.map((row) => row.map(csvCell).join(',')));
  }
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

/** One sheet per table, header in bold; fractions as percentages. */
export async function tablesXlsx(tables: SheetTable[]): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  book.creator = '安心';
  for (const t of tables) {
    const sheet = book.addWorksheet(t.name);
    sheet.addRow(t.header).font = { bold: true };
    t.rows.forEach((row, i) => {
      const added = sheet.addRow(row);
      if (t.percentRows?.includes(i)) added.getCell(2).numFmt = '0.0%';
    });
    sheet.columns.forEach((column, i) => (column.width = t.widths?.[i] ?? (i === 0 ? 24 : 40)));
  }
  return Buffer.from(await book.xlsx.writeBuffer());
}

import type { z } from 'zod';
import { createResidentSchema, findUnstorableText } from '@anxin/contract';
import { type RowError, type SheetRow, sheetTemplate } from '../http/spreadsheet';

export type ResidentInput = z.infer<typeof createResidentSchema>;

const CONTACTS = 2;
/** The template's columns, in its order; a sheet may order them freely (matched by header). */
export const RESIDENT_COLUMNS = {
  name: '姓名',
  unit: '所属社区',
  address: '地址',
  birthDate: '出生日期',
  phone: '电话',
  ...Object.fromEntries(
    Array.from({ length: CONTACTS }, (_, i) => [
      [`contact${i}Name`, `紧急联系人${i + 1}姓名`],
      [`contact${i}Relation`, `紧急联系人${i + 1}关系`],
      [`contact${i}Phone`, `紧急联系人${i + 1}电话`],
    ]).flat(),
  ),
} as Record<string, string>;
export const RESIDENT_REQUIRED = [RESIDENT_COLUMNS.name!, RESIDENT_COLUMNS.unit!];
export const AMBIGUOUS = 'ambiguous';

/** The downloadable template: the header row and one example row. */
export function residentTemplate(format: 'xlsx' | 'csv'): Promise<Buffer> {
  return sheetTemplate(
    '老人档案',
    Object.values(RESIDENT_COLUMNS),
    ['王秀兰', '新华社区', '新华路 12 号 3 单元 301', '1941-03-08', '13800000000', '王小明', '儿子', '13912345678'],
    format,
  );
}

/** zod's complaint about one field, in the words the import screen shows. */
function messageOf(issue: z.core.$ZodIssue, value: string): string {
  if (value === '') return '必填';
  if (issue.code === 'too_big') return `不能超过 ${String(issue.maximum)} 个字符`;
  if (issue.path.includes('birthDate')) return '日期无效（格式 YYYY-MM-DD，1900 年之后的过去日期）';
  return '格式无效';
}

/** The column a schema path came from (emergencyContacts.1.phone → 紧急联系人2电话). */
function columnOf(path: PropertyKey[]): string {
  const [field, index, sub] = path;
  if (field === 'emergencyContacts') {
    const key = sub === 'name' ? 'Name' : sub === 'relation' ? 'Relation' : 'Phone';
    return RESIDENT_COLUMNS[`contact${String(index)}${key}`] ?? '紧急联系人';
  }
  const key = field === 'orgUnitId' ? 'unit' : String(field);
  return RESIDENT_COLUMNS[key] ?? String(field);
}

/**
 * Every row checked against the same schema as `POST /residents`, its unit resolved by name or id
 * among the caller's units (`unitOf`). Answers the inputs, or every row's errors — nothing is half valid.
 */
export function validateResidentRows(
  rows: SheetRow[],
  /** A unit's id, AMBIGUOUS when several units in scope have that name, null when none. */
  unitOf: (nameOrId: string) => string | null,
): { inputs: ResidentInput[]; errors: RowError[] } {
  const inputs: ResidentInput[] = [];
  const errors: RowError[] = [];
  const C = RESIDENT_COLUMNS;
  for (const { row, cells } of rows) {
    const get = (column: string | undefined) => (column ? (cells[column] ?? '') : '');
    const rowErrors: RowError[] = [];
    const unitText = get(C.unit);
    const unit = unitText ? unitOf(unitText) : null;
    if (!unitText) rowErrors.push({ row, column: C.unit!, message: '必填' });
    if (unitText && unit === null)
      rowErrors.push({ row, column: C.unit!, message: `找不到社区“${unitText}”，或它不在您的管辖范围` });
    if (unit === 'ambiguous')
      rowErrors.push({ row, column: C.unit!, message: `有多个名为“${unitText}”的单位，请填写其 ID` });
    const contacts = Array.from({ length: CONTACTS }, (_, i) => ({
      name: get(C[`contact${i}Name`]),
      relation: get(C[`contact${i}Relation`]) || undefined,
      phone: get(C[`contact${i}Phone`]),
    })).filter((c) => c.name !== '' || c.phone !== '' || c.relation !== undefined);
    const candidate = {
      name: get(C.name),
      orgUnitId: unit && unit !== AMBIGUOUS ? unit : '00000000-0000-4000-8000-000000000000',
      address: get(C.address) || null,
      birthDate: get(C.birthDate) || null,
      phone: get(C.phone) || null,
      emergencyContacts: contacts,
    };
    const unstorable = findUnstorableText(candidate, '');
    if (unstorable !== null) rowErrors.push({ row, column: '', message: `含无法保存的字符：${unstorable}` });
    const parsed = createResidentSchema.safeParse(candidate);
    if (!parsed.success)
      for (const issue of parsed.error.issues) {
        const column = columnOf(issue.path);
        if (column === C.unit) continue; // said above
        rowErrors.push({ row, column, message: messageOf(issue, cells[column] ?? '') });
      }
    else if (rowErrors.length === 0) inputs.push(parsed.data);
    errors.push(...rowErrors);
  }
  return { inputs, errors };
}

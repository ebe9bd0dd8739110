import type { z } from 'zod';
import { createDeviceSchema, DEVICE_TYPE_LABELS_ZH, DEVICE_TYPES, type DeviceType } from '@anxin/contract';
import { type RowError, type SheetRow, sheetTemplate } from '../http/spreadsheet';

export type DeviceInput = z.infer<typeof createDeviceSchema>;

export const DEVICE_COLUMNS = {
  residentId: '住户ID',
  residentName: '住户姓名',
  unit: '所属社区',
  type: '设备类型',
  serial: '序列号',
  heartbeat: '心跳间隔（秒）',
};
export const DEVICE_REQUIRED = [DEVICE_COLUMNS.type];

export function deviceTemplate(format: 'xlsx' | 'csv'): Promise<Buffer> {
  return sheetTemplate(
    '设备',
    Object.values(DEVICE_COLUMNS),
    ['', '王秀兰', '新华社区', '智能床垫', 'MT-2026-0001', ''],
    format,
  );
}

/** A device type by its code (`mattress`) or its Chinese name (智能床垫). */
function typeOf(text: string): DeviceType | null {
  if ((DEVICE_TYPES as readonly string[]).includes(text)) return text as DeviceType;
  const byName = Object.entries(DEVICE_TYPE_LABELS_ZH).find(([, label]) => label === text);
  return byName ? (byName[0] as DeviceType) : null;
}

export interface ResidentRef {
  id: string;
  name: string;
  unitName: string;
  orgUnitId: string;
}

/**
 * Bulk provisioning (issue 16): each row names an existing resident in the caller's scope (by id, or by
 * name and, when names repeat, community) and a device type; a serial may not repeat in the sheet or
 * clash with a device already registered (`takenSerials`, "type/serial").
 */
export function validateDeviceRows(
  rows: SheetRow[],
  residents: ResidentRef[],
  takenSerials: Set<string>,
): { inputs: (DeviceInput & { row: number })[]; errors: RowError[] } {
  const C = DEVICE_COLUMNS;
  const inputs: (DeviceInput & { row: number })[] = [];
  const errors: RowError[] = [];
  const seen = new Set<string>();
  for (const { row, cells } of rows) {
    const get = (column: string) => cells[column] ?? '';
    const rowErrors: RowError[] = [];
    let residentId: string | null = null;
    if (get(C.residentId)) {
      residentId = residents.find((r) => r.id === get(C.residentId))?.id ?? null;
      if (!residentId) rowErrors.push({ row, column: C.residentId, message: '找不到该住户，或不在您的管辖范围' });
    } else if (get(C.residentName)) {
      const named = residents.filter(
        (r) => r.name === get(C.residentName) && (!get(C.unit) || r.unitName === get(C.unit)),
      );
      if (named.length === 1) residentId = named[0]!.id;
      else
        rowErrors.push({
          row,
          column: C.residentName,
          message: named.length === 0 ? '找不到该住户，或不在您的管辖范围' : '有重名住户，请填写所属社区或住户ID',
        });
    } else rowErrors.push({ row, column: C.residentName, message: '请填写住户ID或住户姓名' });
    const type = get(C.type) ? typeOf(get(C.type)) : null;
    if (!type)
      rowErrors.push({ row, column: C.type, message: get(C.type) ? `未知的设备类型“${get(C.type)}”` : '必填' });
    const serial = get(C.serial) || null;
    if (serial && type) {
      const key = `${type}/${serial}`;
      if (seen.has(key)) rowErrors.push({ row, column: C.serial, message: '序列号在表中重复' });
      else if (takenSerials.has(key)) rowErrors.push({ row, column: C.serial, message: '该序列号的设备已登记' });
      seen.add(key);
    }
    const heartbeatText = get(C.heartbeat);
    const heartbeat = heartbeatText ? Number(heartbeatText) : null;
    if (residentId && type && rowErrors.length === 0) {
      const parsed = createDeviceSchema.safeParse({ type, residentId, serial, heartbeatIntervalSeconds: heartbeat });
      if (parsed.success) inputs.push({ ...parsed.data, row });
      else rowErrors.push({ row, column: C.heartbeat, message: '心跳间隔应为 1 至 604800 之间的整数秒' });
    }
    errors.push(...rowErrors);
  }
  return { inputs, errors };
}

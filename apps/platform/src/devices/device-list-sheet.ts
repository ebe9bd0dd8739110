import { DEVICE_TYPE_LABELS_ZH } from '@anxin/contract';
import type { ListSheet } from '../exports/list-export';
import type { DeviceView } from './device.view';

/** 设备 as the maintenance page lists them; never a secret. */
export const deviceListSheet: ListSheet<DeviceView> = {
  title: '设备清单',
  asciiName: 'devices',
  refs: (d) => ({ residents: [d.residentId] }),
  columns: [
    { header: '设备编号', width: 38, cell: (d) => d.id },
    { header: '类型', width: 12, cell: (d) => DEVICE_TYPE_LABELS_ZH[d.type] ?? d.type },
    { header: '序列号', cell: (d) => d.serial ?? '' },
    { header: '老人', cell: (d, n) => n.resident(d.residentId) },
    { header: '所属单位', width: 20, cell: (d, n) => n.unit(d.orgUnitId) },
    { header: '启用', width: 6, cell: (d) => (d.enabled ? '是' : '否') },
    { header: '在线', width: 6, cell: (d) => (d.online ? '在线' : '离线') },
    { header: '最后上报', width: 20, cell: (d, n) => n.time(d.lastSeenAt) },
    { header: '电量（%）', width: 10, cell: (d) => d.battery ?? null },
    { header: '被拒消息数', width: 10, cell: (d) => d.rejectedMessages },
  ],
};

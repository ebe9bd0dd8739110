import { ORDER_KIND_LABELS_ZH, ORDER_STATUS_LABELS_ZH, type ServiceOrderView } from '@anxin/contract';
import type { ListSheet } from '../exports/list-export';

/** 服务工单 as the orders board lists them, with the caregiver's name rather than its id. */
export const orderListSheet: ListSheet<ServiceOrderView> = {
  title: '服务工单',
  asciiName: 'orders',
  refs: (o) => ({ residents: [o.residentId], users: [o.assigneeId, o.offeredTo] }),
  columns: [
    { header: '创建时间', width: 20, cell: (o, n) => n.time(o.createdAt) },
    { header: '服务类型', width: 10, cell: (o) => ORDER_KIND_LABELS_ZH[o.kind] ?? o.kind },
    { header: '状态', width: 8, cell: (o) => ORDER_STATUS_LABELS_ZH[o.status] },
    { header: '老人', cell: (o, n) => n.resident(o.residentId) },
    { header: '所属单位', width: 20, cell: (o, n) => n.unit(o.orgUnitId) },
    { header: '护理员', cell: (o, n) => n.user(o.assigneeId ?? o.offeredTo) },
    { header: '更新时间', width: 20, cell: (o, n) => n.time(o.updatedAt) },
    { header: '说明', width: 32, cell: (o) => o.notes ?? '' },
    { header: '来自告警', width: 38, cell: (o) => o.alertId ?? '' },
    { header: '工单编号', width: 38, cell: (o) => o.id },
  ],
};

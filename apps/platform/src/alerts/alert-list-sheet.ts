import {
  ALERT_KIND_LABELS_ZH,
  ALERT_OUTCOME_LABELS_ZH,
  ALERT_STATUS_LABELS_ZH,
  type AlertView,
  SEVERITY_LABELS_ZH,
} from '@anxin/contract';
import type { ListSheet } from '../exports/list-export';

/** 告警记录 as the history page lists them. */
export const alertListSheet: ListSheet<AlertView> = {
  title: '告警记录',
  asciiName: 'alerts',
  refs: (a) => ({ residents: [a.residentId], users: [a.acknowledgedBy] }),
  columns: [
    { header: '发生时间', width: 20, cell: (a, n) => n.time(a.openedAt) },
    { header: '告警类型', width: 12, cell: (a) => ALERT_KIND_LABELS_ZH[a.kind] ?? a.kind },
    { header: '级别', width: 6, cell: (a) => SEVERITY_LABELS_ZH[a.severity] },
    { header: '状态', width: 8, cell: (a) => ALERT_STATUS_LABELS_ZH[a.status] },
    { header: '老人', cell: (a, n) => a.residentName ?? n.resident(a.residentId) },
    { header: '所属单位', width: 20, cell: (a, n) => n.unit(a.orgUnitId) },
    { header: '次数', width: 6, cell: (a) => a.occurrences },
    { header: '升级级别', width: 8, cell: (a) => a.escalationLevel },
    { header: '确认时间', width: 20, cell: (a, n) => n.time(a.acknowledgedAt) },
    { header: '确认人', cell: (a, n) => n.user(a.acknowledgedBy) },
    { header: '结案时间', width: 20, cell: (a, n) => n.time(a.resolvedAt) },
    { header: '处理结果', width: 12, cell: (a) => (a.outcome ? ALERT_OUTCOME_LABELS_ZH[a.outcome] : '') },
    { header: '说明', width: 32, cell: (a) => a.note ?? '' },
    { header: '告警编号', width: 38, cell: (a) => a.id },
  ],
};

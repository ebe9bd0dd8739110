import {
  ALERT_KIND_LABELS_ZH,
  type AlertKind,
  type AlertReport,
  DEVICE_TYPE_LABELS_ZH,
  type DeviceReport,
  type DeviceType,
  ORDER_KIND_LABELS_ZH,
  type OrderKind,
  type OrderReport,
} from '@anxin/contract';

import type { SheetTable } from '../http/spreadsheet';

const NONE = '（无）';
const ACK_BUCKET_LABELS: Record<string, string> = {
  '30s': '30秒内',
  '60s': '30–60秒',
  '120s': '1–2分钟',
  '180s': '2–3分钟',
  '300s': '3–5分钟',
  over300s: '5分钟以上',
  never: '未确认',
};

export function alertReportTables(r: AlertReport): SheetTable[] {
  return [
    {
      name: '告警概要',
      header: ['指标', '数值'],
      rows: [
        ['统计开始', r.from],
        ['统计结束', r.to],
        ['告警总数', r.total],
        ['60秒内确认率', r.acknowledgedWithin60s],
        ['180秒内确认率', r.acknowledgedWithin180s],
        ['确认用时中位数（秒）', r.medianAcknowledgeSeconds],
        ['确认用时P90（秒）', r.p90AcknowledgeSeconds],
        ['误报率', r.falseAlarmRate],
        ['升级告警数', r.escalated],
        ['无人接单的紧急告警', r.unassignedEmergencies],
        ['护理员到场用时中位数（秒）', r.medianOnSiteSeconds],
        ['15分钟内到场率', r.onSiteWithin15min],
        ['45分钟内到场率', r.onSiteWithin45min],
      ],
      percentRows: [3, 4, 7, 11, 12],
    },
    {
      name: '确认用时分布',
      header: ['确认用时', '数量'],
      rows: r.acknowledgeTimes.map((b) => [ACK_BUCKET_LABELS[b.bucket] ?? b.bucket, b.total]),
    },
    {
      name: '按日期',
      header: ['日期', '数量'],
      rows: r.byDay.map((d) => [d.day, d.total]),
    },
    {
      name: '按类型',
      header: ['告警类型', '类型代码', '数量'],
      rows: Object.entries(r.byKind).map(([kind, n]) => [ALERT_KIND_LABELS_ZH[kind as AlertKind] ?? kind, kind, n]),
    },
    {
      name: '按单位',
      header: ['单位', '单位ID', '数量'],
      rows: r.byOrgUnit.map((u) => [u.name, u.orgUnitId, u.total]),
    },
  ];
}

export function orderReportTables(r: OrderReport): SheetTable[] {
  return [
    {
      name: '工单概要',
      header: ['指标', '数值'],
      rows: [
        ['统计开始', r.from],
        ['统计结束', r.to],
        ['工单总数', r.total],
        ['已完成', r.completed],
        ['无人接单', r.unassigned],
        ['接单用时中位数（秒）', r.medianAcceptSeconds],
        ['到场用时中位数（秒）', r.medianArrivalSeconds],
        ['45分钟内到场率', r.arrivedWithin45min],
        ['已取消', r.cancelled],
        ['照护计划准时率', r.carePlanOnTime],
      ],
      percentRows: [7, 9],
    },
    {
      name: '按服务类型',
      header: ['服务类型', '类型代码', '数量'],
      rows: Object.entries(r.byKind).map(([kind, n]) => [ORDER_KIND_LABELS_ZH[kind as OrderKind] ?? kind, kind, n]),
    },
    {
      name: '按服务机构',
      header: ['服务机构', '机构ID', '数量'],
      rows: r.byServiceOrg.map((o) => [o.name ?? NONE, o.serviceOrgId ?? '', o.total]),
    },
  ];
}

export function deviceReportTables(r: DeviceReport): SheetTable[] {
  return [
    {
      name: '设备概要',
      header: ['指标', '数值'],
      rows: [
        ['统计开始', r.from],
        ['统计结束', r.to],
        ['设备总数', r.total],
        ['离线次数', r.offlineIncidents],
        ['在线率（可用性）', r.availability],
      ],
      percentRows: [4],
    },
    {
      name: '按设备类型',
      header: ['设备类型', '数量', '当前在线', '被拒消息'],
      rows: r.byType.map((t) => [
        DEVICE_TYPE_LABELS_ZH[t.type as DeviceType] ?? t.type,
        t.total,
        t.onlineNow,
        t.rejectedMessages,
      ]),
    },
  ];
}

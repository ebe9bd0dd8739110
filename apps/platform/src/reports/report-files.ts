import ExcelJS from 'exceljs';
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

type Cell = string | number | null;

/** One table of a report file: a CSV section, an XLSX sheet. `percent`: columns holding 0..1 fractions. */
export interface ReportTable {
  name: string;
  header: string[];
  rows: Cell[][];
  percentRows?: number[];
}

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

export function alertReportTables(r: AlertReport): ReportTable[] {
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

export function orderReportTables(r: OrderReport): ReportTable[] {
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

export function deviceReportTables(r: DeviceReport): ReportTable[] {
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

const csvCell = (value: Cell): string => {
  const text = value === null ? '' : String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};

/** Tables one after another, each under its name, a blank line between; with a BOM so Excel reads UTF-8. */
export function reportCsv(tables: ReportTable[]): string {
  const lines: string[] = [];
  for (const t of tables) {
    if (lines.length > 0) lines.push('');
    lines.push(csvCell(t.name), t.header.map(csvCell).join(','), ...t.rows.map((row) => row.map(csvCell).join(',')));
  }
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

/** One sheet per table; fractions as percentages, times as numbers. */
export async function reportXlsx(tables: ReportTable[]): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  book.creator = '安心';
  for (const t of tables) {
    const sheet = book.addWorksheet(t.name);
    sheet.addRow(t.header).font = { bold: true };
    t.rows.forEach((row, i) => {
      const added = sheet.addRow(row);
      if (t.percentRows?.includes(i)) added.getCell(2).numFmt = '0.0%';
    });
    sheet.columns.forEach((column, i) => (column.width = i === 0 ? 24 : 40));
  }
  return Buffer.from(await book.xlsx.writeBuffer());
}

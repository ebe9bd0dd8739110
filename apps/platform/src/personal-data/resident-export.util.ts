import {
  ALERT_KIND_LABELS_ZH,
  ALERT_OUTCOME_LABELS_ZH,
  ALERT_STATUS_LABELS_ZH,
  BENEFIT_CATEGORY_LABELS_ZH,
  CARE_CONDITION_LABELS_ZH,
  type CareProfile,
  DEVICE_TYPE_LABELS_ZH,
  type EmergencyContact,
  EVENT_TYPE_LABELS_ZH,
  localDateTimeText,
  ORDER_KIND_LABELS_ZH,
  ORDER_STATUS_LABELS_ZH,
  type RuleOverrides,
  SEVERITY_LABELS_ZH,
} from '@anxin/contract';
import type { SheetCell, SheetTable } from '../http/spreadsheet';
import type {
  ExportedAlert,
  ExportedCarePlan,
  ExportedDevice,
  ExportedEvent,
  ExportedOrder,
} from './personal-data.repository';

/** `GET /residents/{id}/export` (issue 16, PIPL): everything the platform holds on one resident. */
export interface ResidentExport {
  exportedAt: string;
  resident: {
    id: string;
    name: string;
    orgUnitId: string;
    orgUnitName: string | null;
    gender: 'male' | 'female' | null;
    birthDate: string | null;
    idCardNumber: string | null;
    phone: string | null;
    address: string | null;
    benefitCategories: string[];
    medications: string | null;
    allergies: string | null;
    gp: string | null;
    keyHolder: string | null;
    createdAt: Date;
    updatedAt: Date;
    erasedAt: Date | null;
  };
  emergencyContacts: EmergencyContact[];
  careProfile: CareProfile;
  devices: ExportedDevice[];
  carePlans: ExportedCarePlan[];
  alerts: ExportedAlert[];
  orders: ExportedOrder[];
  /** Device events of the last `eventsDays` days. */
  eventsDays: number;
  events: ExportedEvent[];
  /** A list cut at its limit (newest kept). */
  truncated: { alerts: boolean; orders: boolean; events: boolean };
}

const RULE_LABELS: Record<keyof RuleOverrides, string> = {
  heartRateMin: '心率下限（次/分）',
  heartRateMax: '心率上限（次/分）',
  respirationMin: '呼吸下限（次/分）',
  respirationMax: '呼吸上限（次/分）',
  vitalsSustainSeconds: '体征异常持续时间（秒）',
  apnoeaSeconds: '呼吸暂停时间（秒）',
  bedReturnSeconds: '离床未归时间（秒）',
  inactivitySeconds: '无活动时间（秒）',
  sosCancelSeconds: '紧急呼叫可取消时间（秒）',
  fallConfirmSeconds: '跌倒确认时间（秒）',
  readingMissingSeconds: '读数缺失时间（秒）',
};
const WEEKDAYS = ['', '周一', '周二', '周三', '周四', '周五', '周六', '周日'];
const GENDER = { male: '男', female: '女' } as const;
const yesNo = (v: boolean) => (v ? '是' : '否');

/** The export as one XLSX: a sheet per part, Chinese names and headers, times in the platform's zone. */
export function residentExportTables(e: ResidentExport, timeZone: string): SheetTable[] {
  const time = (t: Date | string | null): SheetCell => (t ? localDateTimeText(t, timeZone) : null);
  const r = e.resident;
  const p = e.careProfile;
  const rules = Object.entries(p.rules ?? {}).map(
    ([k, v]) => `${RULE_LABELS[k as keyof RuleOverrides] ?? k}：${String(v)}`,
  );
  return [
    {
      name: '老人档案',
      header: ['项目', '内容'],
      rows: [
        ['姓名', r.name],
        ['所属单位', r.orgUnitName],
        ['性别', r.gender ? GENDER[r.gender] : null],
        ['出生日期', r.birthDate],
        ['身份证号', r.idCardNumber],
        ['电话', r.phone],
        ['地址', r.address],
        ['补贴类别', r.benefitCategories.map((c) => BENEFIT_CATEGORY_LABELS_ZH[c as never] ?? c).join('、')],
        ['用药', r.medications],
        ['过敏', r.allergies],
        ['家庭医生/诊所', r.gp],
        ['钥匙/入户方式', r.keyHolder],
        ['健康状况', (p.conditions ?? []).map((c) => CARE_CONDITION_LABELS_ZH[c] ?? c).join('、')],
        ['夜间时段', p.nightWindow ? `${p.nightWindow.start}–${p.nightWindow.end}` : null],
        ['安全区域', p.safeZone ? `中心 ${p.safeZone.lat}, ${p.safeZone.lon}，半径 ${p.safeZone.radiusM} 米` : null],
        ['个人告警规则', rules.join('；')],
        ['处置备注', p.responderNotes ?? null],
        ['建档时间', time(r.createdAt)],
        ['更新时间', time(r.updatedAt)],
        ['注销时间', time(r.erasedAt)],
        ['导出时间', time(e.exportedAt)],
      ],
    },
    {
      name: '紧急联系人',
      header: ['顺序', '姓名', '关系', '电话'],
      rows: e.emergencyContacts.map((c, i) => [c.order ?? i + 1, c.name, c.relation ?? null, c.phone]),
      widths: [8, 20, 12, 20],
    },
    {
      name: '设备',
      header: ['设备ID', '类型', '序列号', '启用', '在线', '最后在线', '电量（%）', '登记时间'],
      rows: e.devices.map((d) => [
        d.id,
        DEVICE_TYPE_LABELS_ZH[d.type] ?? d.type,
        d.serial,
        yesNo(d.enabled),
        yesNo(d.online),
        time(d.lastSeenAt),
        d.battery,
        time(d.createdAt),
      ]),
    },
    {
      name: '照护计划',
      header: ['计划ID', '服务类型', '星期', '时间', '备注', '状态', '创建时间'],
      rows: e.carePlans.map((c) => [
        c.id,
        ORDER_KIND_LABELS_ZH[c.kind] ?? c.kind,
        c.weekdays.map((d) => WEEKDAYS[d] ?? String(d)).join('、'),
        c.timeOfDay,
        c.notes,
        c.endedAt ? '已结束' : c.active ? '执行中' : '已暂停',
        time(c.createdAt),
      ]),
    },
    {
      name: '告警',
      header: [
        '告警ID',
        '类型',
        '级别',
        '状态',
        '发生时间',
        '最近发生',
        '次数',
        '确认时间',
        '处理完成',
        '处理结果',
        '备注',
      ],
      rows: e.alerts.map((a) => [
        a.id,
        ALERT_KIND_LABELS_ZH[a.kind] ?? a.kind,
        SEVERITY_LABELS_ZH[a.severity as never] ?? a.severity,
        ALERT_STATUS_LABELS_ZH[a.status] ?? a.status,
        time(a.openedAt),
        time(a.lastOccurredAt),
        a.occurrences,
        time(a.acknowledgedAt),
        time(a.resolvedAt),
        a.outcome ? (ALERT_OUTCOME_LABELS_ZH[a.outcome] ?? a.outcome) : null,
        a.note,
      ]),
    },
    {
      name: '工单',
      header: [
        '工单ID',
        '服务类型',
        '状态',
        '创建时间',
        '预约时间',
        '接单时间',
        '到场时间',
        '完成时间',
        '备注',
        '取消原因',
      ],
      rows: e.orders.map((o) => [
        o.id,
        ORDER_KIND_LABELS_ZH[o.kind] ?? o.kind,
        ORDER_STATUS_LABELS_ZH[o.status] ?? o.status,
        time(o.createdAt),
        time(o.scheduledFor),
        time(o.acceptedAt),
        time(o.onSiteAt),
        time(o.completedAt),
        o.notes,
        o.cancelReason,
      ]),
    },
    {
      name: `设备事件（近${e.eventsDays}天）`,
      header: ['接收时间', '设备时间', '设备ID', '事件', '内容'],
      rows: e.events.map((ev) => [
        time(ev.receivedAt),
        time(ev.deviceTs),
        ev.deviceId,
        EVENT_TYPE_LABELS_ZH[ev.type as never] ?? ev.type,
        JSON.stringify(ev.payload),
      ]),
      widths: [20, 20, 38, 14, 60],
    },
  ];
}

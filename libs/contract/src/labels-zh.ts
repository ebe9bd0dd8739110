import type { DeviceEventType } from './device-schemas';
import type {
  AlertKind,
  AlertOutcome,
  AlertStatus,
  DeviceType,
  OrderKind,
  OrderStatus,
  Role,
  ServiceOrgKind,
  Severity,
} from './domain';
import type { BenefitCategory, CARE_CONDITIONS } from './http-api';

// Chinese names the platform itself writes (report files) and the web apps show: one source for both.

export const ALERT_KIND_LABELS_ZH: Record<AlertKind, string> = {
  sos: '紧急呼叫',
  fall: '跌倒',
  smoke: '烟雾报警',
  gas: '燃气泄漏',
  water_leak: '漏水',
  abnormal_heart_rate: '心率异常',
  abnormal_respiration: '呼吸异常',
  not_back_in_bed: '离床未归',
  inactivity: '长时间无活动',
  night_wandering: '夜间游走',
  left_safe_zone: '离开安全区域',
  device_offline: '设备离线',
  low_battery: '电量低',
  tamper: '设备被拆',
  reading_missing: '读数缺失',
};

export const ORDER_KIND_LABELS_ZH: Record<OrderKind, string> = {
  emergency: '助急',
  meal: '助餐',
  cleaning: '助洁',
  bathing: '助浴',
  mobility: '助行',
  medical: '助医',
  maintenance: '设备维修',
};

export const DEVICE_TYPE_LABELS_ZH: Record<DeviceType, string> = {
  mattress: '智能床垫',
  wearable: '智能手环',
  sos_button: '紧急按钮',
  smoke_detector: '烟雾探测器',
  gas_detector: '燃气探测器',
  water_leak_sensor: '水浸传感器',
  door_sensor: '门磁',
  motion_sensor: '人体感应器',
};

export const EVENT_TYPE_LABELS_ZH: Record<DeviceEventType, string> = {
  bed_exit: '离床',
  bed_enter: '上床',
  sos: '紧急呼叫',
  sos_cancel: '取消呼叫',
  fall: '跌倒',
  low_battery: '电量低',
  smoke: '烟雾',
  gas: '燃气泄漏',
  water_leak: '漏水',
  tamper: '设备被拆',
  door_open: '开门',
  door_close: '关门',
  motion: '有人活动',
  command_ack: '指令回执',
};

export const BENEFIT_CATEGORY_LABELS_ZH: Record<BenefitCategory, string> = {
  subsistence_allowance: '低保',
  extreme_poverty: '特困',
  disabled: '失能',
  semi_disabled: '半失能',
  oldest_old: '高龄',
  empty_nest: '空巢',
  living_alone: '独居',
  handicapped: '残疾',
};

export const SEVERITY_LABELS_ZH: Record<Severity, string> = {
  critical: '危急',
  high: '高',
  medium: '中',
  low: '低',
};

export const ALERT_STATUS_LABELS_ZH: Record<AlertStatus, string> = {
  open: '待确认',
  acknowledged: '已确认',
  dispatched: '已派单',
  resolved: '已结案',
};

export const ALERT_OUTCOME_LABELS_ZH: Record<AlertOutcome, string> = {
  real_emergency: '真实紧急情况',
  false_alarm: '误报',
  cancelled_by_resident: '住户取消',
  device_fault: '设备故障',
  other: '其他',
  auto_resolved: '已自动恢复',
};

export const ORDER_STATUS_LABELS_ZH: Record<OrderStatus, string> = {
  pending: '待派',
  offered: '待接单',
  accepted: '已接单',
  en_route: '在途',
  on_site: '已到场',
  completed: '已完成',
  cancelled: '已取消',
  unassigned: '无人接单',
};

export const ROLE_LABELS_ZH: Record<Role, string> = {
  admin: '管理员',
  operator: '操作员',
  caregiver: '护理员',
};

/** 五社联动: the kinds of service organisation a centre works with. */
export const SERVICE_ORG_KIND_LABELS_ZH: Record<ServiceOrgKind, string> = {
  volunteer: '志愿服务队',
  health_station: '卫生服务站',
  property: '物业公司',
  housekeeping: '家政公司',
  medical: '医疗机构',
  social_work: '社工机构',
  charity: '公益慈善组织',
  other: '其他',
};

/** `{prefix.key: label}` for a flat message table (the web apps' i18n keys). */
export function labelKeys<P extends string, K extends string>(
  prefix: P,
  labels: Record<K, string>,
): Record<`${P}.${K}`, string> {
  return Object.fromEntries(Object.entries(labels).map(([k, v]) => [`${prefix}.${k}`, v])) as Record<
    `${P}.${K}`,
    string
  >;
}

/** Issue 16: a resident's conditions (care profile), as the archive export names them. */
export const CARE_CONDITION_LABELS_ZH: Record<(typeof CARE_CONDITIONS)[number], string> = {
  dementia: '认知障碍',
  wandering_risk: '走失风险',
  heart_disease: '心脏病',
  hypertension: '高血压',
  diabetes: '糖尿病',
  copd: '慢阻肺',
  epilepsy: '癫痫',
  mobility_impaired: '行动不便',
  hearing_impaired: '听力障碍',
  visually_impaired: '视力障碍',
  lives_alone: '独居',
};

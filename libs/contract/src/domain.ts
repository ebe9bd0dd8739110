// Closed vocabularies and wire shapes shared by the platform, simulator and web apps.
// Each list is `as const` so it serves both as a runtime value (zod enums, selects)
// and as the source of its union type.

// CONTRACT §2: device `type` at provisioning.
export const DEVICE_TYPES = [
  'mattress',
  'wearable',
  'sos_button',
  'smoke_detector',
  'gas_detector',
  'water_leak_sensor',
  'door_sensor',
  'motion_sensor',
] as const;
export type DeviceType = (typeof DEVICE_TYPES)[number];

// CONTRACT §3: POST /users role.
export const ROLES = ['admin', 'operator', 'caregiver'] as const;
export type Role = (typeof ROLES)[number];

// CONTRACT §3: POST /org-units kind.
export const ORG_UNIT_KINDS = ['center', 'station', 'community'] as const;
export type OrgUnitKind = (typeof ORG_UNIT_KINDS)[number];

// CONTRACT §3: alert kinds "include at least" these; `tamper` is ours (smoke/gas/door events).
export const ALERT_KINDS = [
  'sos',
  'fall',
  'smoke',
  'gas',
  'water_leak',
  'abnormal_heart_rate',
  'abnormal_respiration',
  'not_back_in_bed',
  'inactivity',
  'night_wandering',
  'left_safe_zone',
  'device_offline',
  'low_battery',
  'tamper',
  'reading_missing',
] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

// CONTRACT §3 Supervision (v1.1): device-health alerts are kept per device, not per resident.
export const DEVICE_HEALTH_KINDS = ['device_offline', 'low_battery', 'tamper', 'reading_missing'] as const;

/** Devices a resident's safety depends on: one of them offline or stale means protection is degraded. */
export const SAFETY_DEVICE_TYPES = [
  'sos_button',
  'wearable',
  'smoke_detector',
  'gas_detector',
  'water_leak_sensor',
  'mattress',
] as const satisfies readonly DeviceType[];

/** A safety device that is not protecting its resident: silent past its heartbeat, or its readings missing. */
export interface DegradedDevice {
  deviceId: string;
  type: DeviceType;
  reason: 'offline' | 'reading_missing';
  since: string;
}

/** Carried by resident and alert views: the resident's protection is degraded while any safety device is. */
export interface ProtectionState {
  protectionDegraded: boolean;
  degradedDevices: DegradedDevice[];
}

// CONTRACT §3: severities, most urgent first.
export const SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;
export type Severity = (typeof SEVERITIES)[number];

// CONTRACT §3: alert statuses.
export const ALERT_STATUSES = ['open', 'acknowledged', 'dispatched', 'resolved'] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];

// CONTRACT §3: POST /alerts/{id}/resolve `outcome` (values are ours).
export const RESOLVE_OUTCOMES = [
  'real_emergency',
  'false_alarm',
  'cancelled_by_resident',
  'device_fault',
  'other',
] as const;
export type ResolveOutcome = (typeof RESOLVE_OUTCOMES)[number];
/** What an alert may end with: an operator's outcome, or `auto_resolved` when its device recovered by itself. */
export const ALERT_OUTCOMES = [...RESOLVE_OUTCOMES, 'auto_resolved'] as const;
export type AlertOutcome = (typeof ALERT_OUTCOMES)[number];

// CONTRACT §4: service order kinds.
export const ORDER_KINDS = ['emergency', 'meal', 'cleaning', 'bathing', 'mobility', 'medical', 'maintenance'] as const;
export type OrderKind = (typeof ORDER_KINDS)[number];

// CONTRACT §4: the skills a caregiver may hold are the service kinds (助餐 meal, 助洁 cleaning, 助浴 bathing,
// 助行 mobility, 助医 medical, 助急 emergency, 维修 maintenance); anything else is refused.
export const CAREGIVER_SKILLS = ORDER_KINDS;
export type CaregiverSkill = OrderKind;

/**
 * Which order an alert calls for and which skills can serve it (any one of them):
 * a water leak needs a fixer or an emergency responder, never a GP.
 */
export const ALERT_DISPATCH: Partial<Record<AlertKind, AlertDispatch>> = {
  sos: { orderKind: 'emergency', skills: ['emergency', 'medical'] },
  fall: { orderKind: 'emergency', skills: ['emergency', 'medical'] },
  abnormal_heart_rate: { orderKind: 'emergency', skills: ['emergency', 'medical'] },
  abnormal_respiration: { orderKind: 'emergency', skills: ['emergency', 'medical'] },
  not_back_in_bed: { orderKind: 'emergency', skills: ['emergency', 'medical'] },
  inactivity: { orderKind: 'emergency', skills: ['emergency', 'medical'] },
  night_wandering: { orderKind: 'emergency', skills: ['emergency', 'medical'] },
  left_safe_zone: { orderKind: 'emergency', skills: ['emergency', 'medical'] },
  smoke: { orderKind: 'emergency', skills: ['emergency'] },
  gas: { orderKind: 'emergency', skills: ['maintenance', 'emergency'] },
  water_leak: { orderKind: 'emergency', skills: ['maintenance', 'emergency'] },
  device_offline: { orderKind: 'maintenance', skills: ['maintenance'] },
  low_battery: { orderKind: 'maintenance', skills: ['maintenance'] },
  tamper: { orderKind: 'maintenance', skills: ['maintenance'] },
};
export interface AlertDispatch {
  orderKind: OrderKind;
  skills: readonly CaregiverSkill[];
}
/** A kind not listed (a new person-centred rule) is an emergency a responder or a medic can serve. */
export function dispatchForAlert(kind: AlertKind): AlertDispatch {
  return ALERT_DISPATCH[kind] ?? { orderKind: 'emergency', skills: ['emergency', 'medical'] };
}

// CONTRACT §4: service order statuses; `unassigned` = no one could take it.
export const ORDER_STATUSES = [
  'pending',
  'offered',
  'accepted',
  'en_route',
  'on_site',
  'completed',
  'cancelled',
  'unassigned',
] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export const SERVICE_ORG_KINDS = [
  'volunteer',
  'health_station',
  'property',
  'housekeeping',
  'medical',
  'social_work',
  'charity',
  'other',
] as const;
export type ServiceOrgKind = (typeof SERVICE_ORG_KINDS)[number];

/**
 * An alert as sent over HTTP and socket.io (CONTRACT §3, §4: "the whole alert").
 * Timestamps are ISO 8601 strings.
 */
export interface AlertView {
  id: string;
  residentId: string;
  residentName?: string;
  orgUnitId: string;
  deviceId: string | null;
  eventId: string | null;
  kind: AlertKind;
  severity: Severity;
  status: AlertStatus;
  openedAt: string;
  lastOccurredAt: string;
  /** How many incidents were folded into this one open alert. */
  occurrences: number;
  escalationLevel: number;
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
  resolvedAt: string | null;
  outcome: AlertOutcome | null;
  note: string | null;
  /** The readings that raised the alert (e.g. heart rate), if any. */
  readings: Record<string, unknown> | null;
  /** The resident's protection at the time of this view (issue 11: 防护降级). */
  protectionDegraded?: boolean;
  degradedDevices?: DegradedDevice[];
  /** CONTRACT §3 (v1.1): the status of the alert's latest service order (`unassigned` = nobody is coming). */
  orderStatus?: OrderStatus | null;
  /** Its emergency order was accepted but nobody is on site within the arrival SLA. */
  arrivalOverdue?: boolean;
  /** Emergency contacts could not be notified (the webhook failed after every retry, or none is configured). */
  notificationFailed?: boolean;
}

/** One step in a service order's history. */
export interface OrderTimelineEntry {
  status: OrderStatus;
  at: string;
  actorId: string | null;
  /** The actor's display name (else username), for people to read. */
  actorName?: string | null;
  note: string | null;
}

/**
 * A service order as sent over HTTP and socket.io (CONTRACT §4: "the whole service order").
 * Timestamps are ISO 8601 strings.
 */
export interface ServiceOrderView {
  id: string;
  kind: OrderKind;
  status: OrderStatus;
  residentId: string;
  alertId: string | null;
  assigneeId: string | null;
  /** The caregiver the current offer is waiting on (the best ranked when offered to several). */
  offeredTo: string | null;
  /** Everyone the current offer waits on (a broadcast emergency offer goes to every eligible caregiver). */
  offeredToAll?: string[];
  /** Display names (else usernames) of the assignee and of `offeredTo`, for people to read. */
  assigneeName?: string | null;
  offeredToName?: string | null;
  offerExpiresAt: string | null;
  orgUnitId: string;
  notes: string | null;
  createdAt: string;
  updatedAt: string;
  timeline: OrderTimelineEntry[];
}

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
] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

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

// CONTRACT §4: service order kinds.
export const ORDER_KINDS = ['emergency', 'meal', 'cleaning', 'bathing', 'mobility', 'medical', 'maintenance'] as const;
export type OrderKind = (typeof ORDER_KINDS)[number];

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
  outcome: ResolveOutcome | null;
  note: string | null;
  /** The readings that raised the alert (e.g. heart rate), if any. */
  readings: Record<string, unknown> | null;
}

/** One step in a service order's history. */
export interface OrderTimelineEntry {
  status: OrderStatus;
  at: string;
  actorId: string | null;
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
  /** The caregiver the current offer is waiting on. */
  offeredTo: string | null;
  offerExpiresAt: string | null;
  orgUnitId: string;
  notes: string | null;
  createdAt: string;
  updatedAt: string;
  timeline: OrderTimelineEntry[];
}

import { z } from 'zod';
import {
  type AlertKind,
  CAREGIVER_SKILLS,
  DEVICE_TYPES,
  type OrderKind,
  type OrderStatus,
  ORG_UNIT_KINDS,
  ROLES,
  type Role,
} from './domain';

// CONTRACT §3: request bodies of the HTTP API. Objects are strict: an unknown
// field is a 400 naming it, never silently dropped.

const id = z.uuid();
const text = (max: number) => z.string().trim().min(1).max(max);
const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected HH:MM');

export const loginRequestSchema = z.strictObject({
  username: text(64),
  password: z.string().min(1).max(256),
});
export type LoginRequest = z.infer<typeof loginRequestSchema>;

export const createOrgUnitSchema = z.strictObject({
  name: text(100),
  kind: z.enum(ORG_UNIT_KINDS),
  parentId: id.nullish(),
});
/** Issue 16: rename, move (a new parent; null makes a root, centres only) and (de)activate, alone or together. */
export const updateOrgUnitSchema = z
  .strictObject({ name: text(100).optional(), parentId: id.nullable().optional(), active: z.boolean().optional() })
  .refine((b) => b.name !== undefined || b.parentId !== undefined || b.active !== undefined, {
    message: 'expected at least one of name, parentId, active',
  });

const password = z.string().min(8, 'must be at least 8 characters').max(256);
// CONTRACT §3 (v1.1): skills are the fixed service kinds, so a free-text skill that can never match is refused.
const skills = z
  .array(z.enum(CAREGIVER_SKILLS, { error: `expected one of ${CAREGIVER_SKILLS.join(', ')}` }))
  .max(CAREGIVER_SKILLS.length)
  .transform((list) => [...new Set(list)]);

/**
 * A caregiver's shift hours (issue 16): local HH:MM in the platform's zone, an end before the start crosses
 * midnight; weekdays (1 = Monday … 7 = Sunday) are the days a shift starts, none = every day. Start and end
 * come together; both null = any time. Dispatch offers orders only to caregivers within their shift.
 */
const shiftFields = {
  shiftStart: clock.nullable().optional(),
  shiftEnd: clock.nullable().optional(),
  shiftWeekdays: z
    .array(z.number().int().min(1).max(7))
    .max(7)
    .transform((days) => [...new Set(days)].sort((a, b) => a - b))
    .optional(),
};
function shiftPairCheck(v: { shiftStart?: string | null; shiftEnd?: string | null }, ctx: z.RefinementCtx): void {
  for (const [field, other] of [
    ['shiftEnd', 'shiftStart'],
    ['shiftStart', 'shiftEnd'],
  ] as const) {
    if (v[other] !== undefined && (v[field] === undefined || (v[field] === null) !== (v[other] === null)))
      ctx.addIssue({
        code: 'custom',
        path: [field],
        message: `expected together with ${other} (both HH:MM or both null)`,
      });
  }
}

export const createUserSchema = z
  .strictObject({
    username: z.string().regex(/^[A-Za-z0-9._@-]{3,64}$/, 'expected 3-64 letters, digits or . _ @ -'),
    password,
    role: z.enum(ROLES),
    orgUnitId: id,
    displayName: text(100).nullish(),
    skills: skills.optional(),
    /** The service organisation a caregiver works for; without one it serves its own unit and below. */
    serviceOrgId: id.nullish(),
    ...shiftFields,
  })
  .superRefine(shiftPairCheck);
export const updateUserSchema = z
  .strictObject({
    password: password.optional(),
    displayName: text(100).nullish(),
    skills: skills.optional(),
    onDuty: z.boolean().optional(),
    disabled: z.boolean().optional(),
    /** null: no organisation (serves its own unit and below). */
    serviceOrgId: id.nullish(),
    /** Moves the user to another unit in the caller's scope (its sessions end: their scope changes). */
    orgUnitId: id.optional(),
    ...shiftFields,
  })
  .superRefine(shiftPairCheck);

export const emergencyContactSchema = z.strictObject({
  name: text(100),
  relation: text(40).optional(),
  phone: text(40),
  order: z.number().int().min(1).max(20).optional(),
});
export type EmergencyContact = z.infer<typeof emergencyContactSchema>;

export const CARE_CONDITIONS = [
  'dementia',
  'wandering_risk',
  'heart_disease',
  'hypertension',
  'diabetes',
  'copd',
  'epilepsy',
  'mobility_impaired',
  'hearing_impaired',
  'visually_impaired',
  'lives_alone',
] as const;

/** Per-resident overrides of the alert rules' thresholds and durations. */
export const ruleOverridesSchema = z.strictObject({
  heartRateMin: z.number().int().min(20).max(200).optional(),
  heartRateMax: z.number().int().min(40).max(250).optional(),
  respirationMin: z.number().int().min(1).max(60).optional(),
  respirationMax: z.number().int().min(5).max(80).optional(),
  vitalsSustainSeconds: z.number().int().min(1).max(3600).optional(),
  apnoeaSeconds: z.number().int().min(1).max(600).optional(),
  bedReturnSeconds: z
    .number()
    .int()
    .min(1)
    .max(6 * 3600)
    .optional(),
  inactivitySeconds: z
    .number()
    .int()
    .min(1)
    .max(7 * 86400)
    .optional(),
  sosCancelSeconds: z.number().int().min(1).max(600).optional(),
  fallConfirmSeconds: z.number().int().min(0).max(600).optional(),
  /** In bed with no heart rate or respiration for this long raises `reading_missing`. */
  readingMissingSeconds: z.number().int().min(1).max(86400).optional(),
});

export type RuleOverrides = z.infer<typeof ruleOverridesSchema>;

/** What each rule uses when the care profile does not say otherwise (the console shows them beside the fields). */
export const RULE_DEFAULTS: Required<RuleOverrides> = {
  heartRateMin: 40,
  heartRateMax: 120,
  respirationMin: 8,
  respirationMax: 28,
  vitalsSustainSeconds: 60,
  apnoeaSeconds: 20,
  bedReturnSeconds: 30 * 60,
  inactivitySeconds: 12 * 3600,
  sosCancelSeconds: 60,
  fallConfirmSeconds: 30,
  readingMissingSeconds: 300,
};

export const careProfileSchema = z.strictObject({
  conditions: z.array(z.enum(CARE_CONDITIONS)).max(CARE_CONDITIONS.length).optional(),
  nightWindow: z.strictObject({ start: clock, end: clock }).optional(),
  rules: ruleOverridesSchema.optional(),
  safeZone: z
    .strictObject({
      lat: z.number().min(-90).max(90),
      lon: z.number().min(-180).max(180),
      radiusM: z.number().min(10).max(100_000),
    })
    .optional(),
  /** For responders only (e.g. key-safe code); never shown to caregivers before they accept. */
  responderNotes: z.string().max(2000).optional(),
});
export type CareProfile = z.infer<typeof careProfileSchema>;

const birthDate = z.iso.date().refine((d) => d >= '1900-01-01' && d <= new Date().toISOString().slice(0, 10), {
  message: 'must be a past date after 1900-01-01',
});

const ID_CARD_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CARD_CHECK = '10X98765432';

/** A mainland resident ID number (GB 11643): 18 characters, a real birth date, and its check digit. */
export function isValidIdCardNumber(value: string): boolean {
  if (!/^\d{17}[\dX]$/.test(value)) return false;
  const birth = `${value.slice(6, 10)}-${value.slice(10, 12)}-${value.slice(12, 14)}`;
  const date = new Date(`${birth}T00:00:00Z`);
  if (Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== birth || birth < '1900-01-01') return false;
  const sum = ID_CARD_WEIGHTS.reduce((n, w, i) => n + w * Number(value[i]), 0);
  return ID_CARD_CHECK[sum % 11] === value[17];
}

/** Shown to everyone but admins: the region's first four digits and the last four. */
export const maskIdCardNumber = (value: string): string => `${value.slice(0, 4)}${'*'.repeat(10)}${value.slice(-4)}`;

export const BENEFIT_CATEGORIES = [
  'subsistence_allowance',
  'extreme_poverty',
  'disabled',
  'semi_disabled',
  'oldest_old',
  'empty_nest',
  'living_alone',
  'handicapped',
] as const;
export type BenefitCategory = (typeof BENEFIT_CATEGORIES)[number];

const residentFields = {
  name: text(100),
  orgUnitId: id,
  address: text(300).nullish(),
  birthDate: birthDate.nullish(),
  phone: text(40).nullish(),
  emergencyContacts: z.array(emergencyContactSchema).max(10).optional(),
  careProfile: careProfileSchema.optional(),
  // Issue 16: the resident archive (老人档案).
  gender: z.enum(['male', 'female']).nullish(),
  /** Write-only: stored encrypted, answered masked (in full to admins on GET /residents/{id}). */
  idCardNumber: z
    .string()
    .trim()
    .toUpperCase()
    .refine(isValidIdCardNumber, { message: 'not a valid ID number (18 characters, birth date and check digit)' })
    .nullish(),
  benefitCategories: z.array(z.enum(BENEFIT_CATEGORIES)).max(BENEFIT_CATEGORIES.length).optional(),
  medications: text(1000).nullish(),
  allergies: text(1000).nullish(),
  gp: text(200).nullish(),
  /** Who holds a key and how to get in (responder information). */
  keyHolder: text(300).nullish(),
};
export const createResidentSchema = z.strictObject(residentFields);
export const updateResidentSchema = z.strictObject(residentFields).partial();

export const createDeviceSchema = z.strictObject({
  type: z.enum(DEVICE_TYPES),
  residentId: id,
  serial: text(100).nullish(),
  heartbeatIntervalSeconds: z
    .number()
    .int()
    .min(1)
    .max(7 * 86400)
    .nullish(),
});
export const updateDeviceSchema = z.strictObject({
  enabled: z.boolean().optional(),
  serial: text(100).nullish(),
  residentId: id.optional(),
  heartbeatIntervalSeconds: z
    .number()
    .int()
    .min(1)
    .max(7 * 86400)
    .nullish(),
});
export const deviceCommandSchema = z.strictObject({
  name: z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, 'expected a lower_snake_case command name'),
  params: z.record(z.string(), z.unknown()).optional(),
});

// Issue 16: care plans — a recurring 六助 service (e.g. 助浴 every Tuesday 10:00); each slot becomes
// an order a lead time before it. Emergencies and device repairs are never planned.
export const CARE_PLAN_KINDS = [
  'meal',
  'cleaning',
  'bathing',
  'mobility',
  'medical',
] as const satisfies readonly OrderKind[];
export type CarePlanKind = (typeof CARE_PLAN_KINDS)[number];
export const CARE_PLAN_STATUSES = ['active', 'paused', 'ended'] as const;
export type CarePlanStatus = (typeof CARE_PLAN_STATUSES)[number];

const carePlanFields = {
  kind: z.enum(CARE_PLAN_KINDS),
  /** 1 = Monday … 7 = Sunday. */
  weekdays: z
    .array(z.number().int().min(1).max(7))
    .min(1)
    .max(7)
    .transform((days) => [...new Set(days)].sort((a, b) => a - b)),
  /** Local time in the platform's zone. */
  timeOfDay: clock,
  notes: z.string().trim().max(2000).nullish(),
};
export const createCarePlanSchema = z.strictObject({ residentId: id, ...carePlanFields });
/** Ending is its own call (`POST /care-plans/:id/end`): an ended plan is never resumed. */
export const updateCarePlanSchema = z
  .strictObject({ ...carePlanFields, status: z.enum(['active', 'paused']) })
  .partial();

export interface CarePlanView {
  id: string;
  residentId: string;
  residentName: string;
  orgUnitId: string;
  kind: CarePlanKind;
  weekdays: number[];
  timeOfDay: string;
  notes: string | null;
  status: CarePlanStatus;
  createdAt: string;
  endedAt: string | null;
}

/** `GET /care-plans/schedule`: one slot of a plan in `[from, to)`, with its order once one exists. */
export interface CarePlanOccurrence {
  planId: string;
  residentId: string;
  residentName: string;
  kind: CarePlanKind;
  at: string;
  planStatus: CarePlanStatus;
  orderId: string | null;
  orderStatus: OrderStatus | null;
}

// Issue 16 (PIPL): how long history is kept, in days; null = forever. Closed alerts and orders only.
const retentionDays = z.number().int().min(1).max(36_500).nullable();
export const retentionSettingsSchema = z.strictObject({
  deviceEventsDays: retentionDays,
  alertsDays: retentionDays,
  ordersDays: retentionDays,
  auditLogDays: retentionDays,
});
export type RetentionSettings = z.infer<typeof retentionSettingsSchema>;

/** `GET /residents/{id}/export`: JSON or XLSX; device events of the last `days` days (at most 365). */
export const residentExportQuerySchema = z.strictObject({
  format: z.enum(['json', 'xlsx']).default('json'),
  days: z.coerce.number().int().min(1).max(365).default(30),
});

/** `?limit=&offset=` on every list; the total comes back in `X-Total-Count`. */
export const pageQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});

export interface LoginResponse {
  accessToken: string;
  expiresAt: string;
  user: { id: string; username: string; role: Role; orgUnitId: string };
}

/** The 400/401/403/404/409/429 body (CONTRACT §3). */
export interface ApiErrorBody {
  statusCode: number;
  error: string;
  message: string;
}

/** `GET /api/v1/reports/alerts` (CONTRACT §3 v1.1): fractions in 0..1 over alerts opened in `[from, to)`. */
export interface AlertReport {
  from: string;
  to: string;
  total: number;
  byKind: Partial<Record<AlertKind, number>>;
  byOrgUnit: { orgUnitId: string; name: string; total: number }[];
  /** Acknowledged within 60 s / 180 s of opening; one never acknowledged counts as not within. */
  acknowledgedWithin60s: number | null;
  acknowledgedWithin180s: number | null;
  medianAcknowledgeSeconds: number | null;
  p90AcknowledgeSeconds: number | null;
  /** false_alarm among the alerts resolved with an operator's outcome (auto-resolved ones left out). */
  falseAlarmRate: number | null;
  /** Beyond CONTRACT §3 (issue 15): alerts per day in the platform's zone. */
  byDay: { day: string; total: number }[];
  /** Alerts that reached at least one escalation level. */
  escalated: number;
  /** Alerts whose order ended unassigned (nobody accepted). */
  unassignedEmergencies: number;
  /** From the alert to its caregiver on site, over alerts that got an order not cancelled. */
  medianOnSiteSeconds: number | null;
  onSiteWithin15min: number | null;
  onSiteWithin45min: number | null;
  /** How many were acknowledged within 30 s, 30–60 s, 1–2, 2–3, 3–5 min, later, never (in that order). */
  acknowledgeTimes: { bucket: string; total: number }[];
}

/** `GET /api/v1/reports/orders` (CONTRACT §3 v1.1), over orders created in `[from, to)`. */
export interface OrderReport {
  from: string;
  to: string;
  total: number;
  byKind: Partial<Record<OrderKind, number>>;
  /** By the assignee's service organisation; `serviceOrgId` null: no assignee, or one outside any organisation. */
  byServiceOrg: { serviceOrgId: string | null; name: string | null; total: number }[];
  completed: number;
  unassigned: number;
  medianAcceptSeconds: number | null;
  /** From the order (or its scheduled slot, if later) to the caregiver on site. */
  medianArrivalSeconds: number | null;
  /** Of the orders not cancelled, the share on site within 45 minutes (never arrived: not within). */
  arrivedWithin45min: number | null;
  /** Beyond CONTRACT §3 (issue 15). */
  cancelled: number;
  /** Care-plan orders (not cancelled) on site by 15 minutes after their slot. */
  carePlanOnTime: number | null;
}

/** `GET /api/v1/reports/devices` (issue 15): devices in scope now, and their faults over `[from, to)`. */
export interface DeviceReport {
  from: string;
  to: string;
  total: number;
  byType: { type: string; total: number; onlineNow: number; rejectedMessages: number }[];
  /** device_offline alerts opened in the period. */
  offlineIncidents: number;
  /** 1 − (offline time of those incidents, within the period) ÷ (devices × the period's length). */
  availability: number | null;
}

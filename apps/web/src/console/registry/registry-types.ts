import type {
  BenefitCategory,
  CareProfile,
  DegradedDevice,
  DeviceType,
  EmergencyContact,
  OrgUnitKind,
  Role,
} from '@anxin/contract';

// Wire shapes of the registry calls (CONTRACT §3 plus the platform's additions), as the console reads them.

export interface Resident {
  id: string;
  name: string;
  orgUnitId: string;
  address: string | null;
  birthDate: string | null;
  phone: string | null;
  emergencyContacts: EmergencyContact[];
  careProfile: CareProfile;
  /** Issue 16: the archive. `idCardNumber` only for admins on the detail call; others see `idCardMasked`. */
  gender?: 'male' | 'female' | null;
  idCardMasked?: string | null;
  idCardNumber?: string;
  benefitCategories?: BenefitCategory[];
  medications?: string | null;
  allergies?: string | null;
  gp?: string | null;
  keyHolder?: string | null;
  /** Issue 16 (PIPL): when the resident's personal data was erased; the record stays, anonymised. */
  erasedAt?: string | null;
  createdAt: string;
  updatedAt: string;
  /** Issue 11 (防护降级): GET /residents and /residents/:id say which safety devices are down. */
  protectionDegraded?: boolean;
  degradedDevices?: DegradedDevice[];
}

export interface DeviceView {
  id: string;
  type: DeviceType;
  residentId: string;
  orgUnitId: string;
  serial: string | null;
  enabled: boolean;
  online: boolean;
  lastSeenAt: string | null;
  battery: number | null;
  rejectedMessages: number;
  lastRejection: { reason: string; at: string } | null;
  heartbeatIntervalSeconds: number | null;
  createdAt: string;
  updatedAt: string;
}

/** `POST /devices` and `POST /devices/:id/rotate-secret`: the secret is in this answer only. */
export type ProvisionedDevice = DeviceView & { secret: string };

export interface UserView {
  id: string;
  username: string;
  role: Role;
  orgUnitId: string;
  displayName: string | null;
  skills: string[];
  onDuty: boolean;
  disabled: boolean;
  createdAt: string;
  serviceOrgId?: string | null;
  /** Shift hours, local HH:MM; null = any time (issue 16). */
  shiftStart?: string | null;
  shiftEnd?: string | null;
  shiftWeekdays?: number[];
}

export interface OrgUnit {
  id: string;
  name: string;
  kind: OrgUnitKind;
  parentId: string | null;
  path: string;
  /** A deactivated unit stays listed (greyed) but is left out of the pickers: it takes nothing new. */
  active: boolean;
  createdAt: string;
}

/** Devices whose battery is at or below this are listed under maintenance. */
export const LOW_BATTERY_PERCENT = 20;

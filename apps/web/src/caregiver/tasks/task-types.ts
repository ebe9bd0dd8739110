import type { EmergencyContact, ServiceOrderView } from '@anxin/contract';

/** A service order as a caregiver gets it: with the resident's details (responder notes once accepted). */
export type CaregiverTask = ServiceOrderView & {
  resident?: {
    name: string;
    address: string | null;
    phone: string | null;
    emergencyContacts: EmergencyContact[];
    responderNotes?: string | null;
    /** The home's coordinates (its safe zone's centre), when known. */
    lat?: number | null;
    lon?: number | null;
  };
};

export const ACTIVE_TASK_STATUSES = ['accepted', 'en_route', 'on_site'] as const;
export const CLOSED_TASK_STATUSES = ['completed', 'cancelled'] as const;

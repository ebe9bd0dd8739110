import type { ServiceOrgKind } from '@anxin/contract';
import type { UserView } from '../registry/registry-types';

// Wire shapes of the service-organisation calls (issue 16), as the console reads them.

/** `GET /service-orgs` and `/service-orgs/:id`: only the units of the caller's scope it serves. */
export interface ServiceOrg {
  id: string;
  name: string;
  kind: ServiceOrgKind;
  orgUnitIds: string[];
  /** It also serves units outside the caller's scope: the caller may look, not manage its caregivers. */
  servesOutsideScope: boolean;
  /** Its caregivers in the caller's scope. */
  memberCount: number;
}

/** `GET /service-orgs/:id/members`. */
export type ServiceOrgMember = Pick<
  UserView,
  'id' | 'username' | 'displayName' | 'orgUnitId' | 'onDuty' | 'disabled' | 'skills'
>;

/** A caregiver as `GET /users` answers it, with the organisation it works for. */
export type Caregiver = UserView & { serviceOrgId: string | null };

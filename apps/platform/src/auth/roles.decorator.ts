import { SetMetadata } from '@nestjs/common';
import type { Role } from '@anxin/contract';

export const ROLES_KEY = 'anxin:roles';
export const PUBLIC_KEY = 'anxin:public';

/** Only these roles may call the route (everyone authenticated when absent). */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES_KEY, roles);
/** No token needed (login, health). */
export const Public = () => SetMetadata(PUBLIC_KEY, true);

import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Role } from '@anxin/contract';
import type { OrgScope } from '../org-units/org-scope';

/** The authenticated caller, loaded fresh per request so a disabled user is refused at once. */
export interface Principal {
  userId: string;
  username: string;
  role: Role;
  orgUnitId: string;
  scope: OrgScope;
  address: string | null;
}

export const CurrentPrincipal = createParamDecorator((_data: unknown, ctx: ExecutionContext): Principal => {
  const request = ctx.switchToHttp().getRequest<{ principal?: Principal }>();
  if (!request.principal) throw new Error('CurrentPrincipal used on a public route');
  return request.principal;
});

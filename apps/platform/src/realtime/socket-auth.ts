import type { Role } from '@anxin/contract';
import type { Namespace, Socket } from 'socket.io';
import type { AuthService } from '../auth/auth.service';
import type { Principal } from '../auth/principal';

/** CONTRACT §4: a missing or bad token, or the wrong role, is refused with a connect error. */
export function requirePrincipal(nsp: Namespace, auth: AuthService, roles: Role[]): void {
  nsp.use((socket: Socket, next) => {
    const token = (socket.handshake.auth as { token?: unknown } | undefined)?.token;
    if (typeof token !== 'string' || token.length === 0) return next(new Error('unauthorized: missing token'));
    auth.authenticate(token, socket.handshake.address ?? null).then(
      (principal) => {
        if (!roles.includes(principal.role))
          return next(new Error(`forbidden: this channel is for ${roles.join(' or ')}`));
        (socket.data as { principal?: Principal }).principal = principal;
        next();
      },
      () => next(new Error('unauthorized: invalid or expired token')),
    );
  });
}

export const principalOf = (socket: Socket): Principal => (socket.data as { principal: Principal }).principal;

/** Rooms: one per org unit; an operator joins its own unit's room and hears everything below it. */
export const unitRoom = (unitId: string) => `unit:${unitId}`;
export const ALL_ROOM = 'all-units';
export const userRoom = (userId: string) => `user:${userId}`;

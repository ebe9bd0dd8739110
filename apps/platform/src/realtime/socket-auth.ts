import type { Role } from '@anxin/contract';
import type { Namespace, Socket } from 'socket.io';
import type { AuthService } from '../auth/auth.service';
import type { Principal } from '../auth/principal';

interface SocketSession {
  principal: Principal;
  token: string;
}

const sessionOf = (socket: Socket) => socket.data as SocketSession;
const REVOKED = 'unauthorized: your session has ended; sign in again';

/**
 * CONTRACT §4: a missing or bad token, or the wrong role, is refused with a connect error.
 * Issue 12 item 5: the token is checked again before every client event, and a
 * user whose tokens are revoked (on any process: NOTIFY) has its sockets here closed.
 */
export function requirePrincipal(nsp: Namespace, auth: AuthService, roles: Role[]): void {
  nsp.use((socket: Socket, next) => {
    const token = (socket.handshake.auth as { token?: unknown } | undefined)?.token;
    if (typeof token !== 'string' || token.length === 0) return next(new Error('unauthorized: missing token'));
    auth.authenticate(token, auth.clientAddressOf(socket.request)).then(
      (principal) => {
        if (!roles.includes(principal.role))
          return next(new Error(`forbidden: this channel is for ${roles.join(' or ')}`));
        Object.assign(socket.data as object, { principal, token } satisfies SocketSession);
        next();
      },
      () => next(new Error('unauthorized: invalid or expired token')),
    );
  });
  nsp.on('connection', (socket) => {
    // Joined in the same turn as the handshake check, so a revocation heard later always finds the socket.
    void socket.join(userRoom(sessionOf(socket).principal.userId));
    socket.use((packet, next) => {
      const session = sessionOf(socket);
      auth.authenticate(session.token, session.principal.address, true).then(
        () => next(),
        () => {
          const ack: unknown = packet[packet.length - 1];
          if (typeof ack === 'function') (ack as (r: unknown) => void)({ error: REVOKED, statusCode: 401 });
          socket.disconnect(true);
        },
      );
    });
  });
  // Every process hears the revocation; each closes only its own sockets (no fan-out needed).
  auth.sessions.onRevoked((userId) => nsp.local.in(userRoom(userId)).disconnectSockets(true));
  auth.sessions.onResync(() => {
    for (const socket of nsp.sockets.values()) {
      const session = sessionOf(socket);
      auth.authenticate(session.token, session.principal.address).catch(() => socket.disconnect(true));
    }
  });
}

export const principalOf = (socket: Socket): Principal => sessionOf(socket).principal;

/** Rooms: one per org unit; an operator joins its own unit's room and hears everything below it. */
export const unitRoom = (unitId: string) => `unit:${unitId}`;
export const ALL_ROOM = 'all-units';
export const userRoom = (userId: string) => `user:${userId}`;

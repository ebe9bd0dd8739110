import type { Namespace } from 'socket.io';
import {
  type AlertView,
  type ConsoleClientToServerEvents,
  type ConsoleServerToClientEvents,
  RESOLVE_OUTCOMES,
  type ServiceOrderView,
} from '@anxin/contract';
import type { AlertsService } from '../alerts/alerts.service';
import type { AuthService } from '../auth/auth.service';
import type { DispatchService } from '../dispatch/dispatch.service';
import { ackError, AppError } from '../errors/app.errors';
import type { RepeatedLog } from '../logging/repeated-log';
import { ALL_ROOM, principalOf, requirePrincipal, unitRoom } from './socket-auth';
import type { UnitRooms } from './unit-rooms';

export type ConsoleNamespace = Namespace<ConsoleClientToServerEvents, ConsoleServerToClientEvents>;

/** CONTRACT §4 `/console`: snapshot on every (re)connect, then raised/updated alerts of the operator's units. */
export function setUpConsole(
  nsp: ConsoleNamespace,
  deps: { auth: AuthService; alerts: AlertsService; dispatch: DispatchService; rooms: UnitRooms; log: RepeatedLog },
): void {
  requirePrincipal(nsp, deps.auth, ['admin', 'operator']);
  nsp.on('connection', (socket) => {
    const principal = principalOf(socket as never);
    void socket.join(principal.role === 'admin' ? ALL_ROOM : unitRoom(principal.orgUnitId));
    deps.alerts.listActive(principal.scope).then(
      (alerts) => socket.emit('alerts:snapshot', alerts),
      (error: unknown) => deps.log.error('console:snapshot', { err: error }, 'could not send the alert snapshot'),
    );
    socket.on('alert:acknowledge', (req, ack) => {
      if (typeof ack !== 'function') return;
      deps.alerts
        .acknowledge(principal, String(req?.id ?? ''), typeof req?.note === 'string' ? req.note : null)
        .then(ack, (e: unknown) => ack(ackError(e)));
    });
    socket.on('alert:resolve', (req, ack) => {
      if (typeof ack !== 'function') return;
      if (!RESOLVE_OUTCOMES.includes(req?.outcome))
        return ack(ackError(new AppError('invalid_input', `outcome: expected one of ${RESOLVE_OUTCOMES.join(', ')}`)));
      deps.alerts
        .resolve(principal, String(req.id ?? ''), req.outcome, typeof req.note === 'string' ? req.note : null)
        .then(ack, (e: unknown) => ack(ackError(e)));
    });
  });
  const send = (event: 'alert:raised' | 'alert:updated') => (alert: AlertView) => {
    deps.rooms.roomsFor(alert.orgUnitId).then(
      (rooms) => nsp.to(rooms).emit(event, alert),
      (error: unknown) =>
        deps.log.error('console:emit-alert', { err: error, alertId: alert.id }, 'could not emit an alert'),
    );
  };
  deps.alerts.signals.on('raised', send('alert:raised'));
  deps.alerts.signals.on('updated', send('alert:updated'));
  const sendOrder = (event: 'order:updated' | 'order:unassigned') => (order: ServiceOrderView) => {
    deps.rooms.roomsFor(order.orgUnitId).then(
      (rooms) => nsp.to(rooms).emit(event, order),
      (error: unknown) =>
        deps.log.error('console:emit-order', { err: error, orderId: order.id }, 'could not emit an order'),
    );
  };
  deps.dispatch.signals.on('updated', sendOrder('order:updated'));
  deps.dispatch.signals.on('unassigned', sendOrder('order:unassigned'));
}

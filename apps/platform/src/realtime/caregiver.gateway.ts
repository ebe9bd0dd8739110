import type { Namespace } from 'socket.io';
import type { Logger } from 'pino';
import {
  type CaregiverClientToServerEvents,
  type CaregiverServerToClientEvents,
  type ServiceOrderView,
  TASK_PROGRESS_STATUSES,
} from '@anxin/contract';
import type { AuthService } from '../auth/auth.service';
import type { DispatchService } from '../dispatch/dispatch.service';
import { AppError } from '../errors/app.errors';
import { principalOf, requirePrincipal, userRoom } from './socket-auth';

export type CaregiverNamespace = Namespace<CaregiverClientToServerEvents, CaregiverServerToClientEvents>;

const errorOf = (error: unknown) => ({ error: error instanceof AppError ? error.message : 'internal error' });

/** CONTRACT §4 `/caregiver`: the caregiver's own offers and tasks only. */
export function setUpCaregiver(
  nsp: CaregiverNamespace,
  deps: { auth: AuthService; dispatch: DispatchService; log: Logger },
): void {
  requirePrincipal(nsp, deps.auth, ['caregiver']);
  nsp.on('connection', (socket) => {
    const principal = principalOf(socket as never);
    void socket.join(userRoom(principal.userId));
    deps.dispatch
      .listForCaregiver(principal.userId)
      .then((orders) =>
        Promise.all(
          orders
            .filter((o) => o.status !== 'completed' && o.status !== 'cancelled')
            .map((o) => deps.dispatch.withResident(o, principal.userId)),
        ),
      )
      .then(
        (orders) => socket.emit('tasks:snapshot', orders as ServiceOrderView[]),
        (error: unknown) => deps.log.error({ err: error }, 'could not send the task snapshot'),
      );
    const respond = (work: () => Promise<ServiceOrderView>, ack: unknown) => {
      if (typeof ack !== 'function') return;
      work().then(
        (order) =>
          deps.dispatch.withResident(order as never, principal.userId).then((o) => (ack as (r: unknown) => void)(o)),
        (e: unknown) => (ack as (r: unknown) => void)(errorOf(e)),
      );
    };
    socket.on('task:accept', (req, ack) => respond(() => deps.dispatch.accept(principal, String(req?.id ?? '')), ack));
    socket.on('task:decline', (req, ack) =>
      respond(() => deps.dispatch.decline(principal, String(req?.id ?? '')), ack),
    );
    socket.on('task:progress', (req, ack) => {
      if (!TASK_PROGRESS_STATUSES.includes(req?.status))
        return (
          typeof ack === 'function' && ack({ error: `status: expected one of ${TASK_PROGRESS_STATUSES.join(', ')}` })
        );
      respond(
        () =>
          deps.dispatch.progress(
            principal,
            String(req.id ?? ''),
            req.status,
            typeof req.note === 'string' ? req.note : null,
          ),
        ack,
      );
    });
  });
  const toCaregiver = (event: 'task:offered' | 'task:updated', userId: string | null, order: ServiceOrderView) => {
    if (!userId) return;
    deps.dispatch.withResident(order as never, userId).then(
      (o) => nsp.to(userRoom(userId)).emit(event, o as ServiceOrderView),
      (error: unknown) => deps.log.error({ err: error }, 'could not emit a task'),
    );
  };
  deps.dispatch.signals.on('offered', (order) => toCaregiver('task:offered', order.offeredTo, order));
  deps.dispatch.signals.on('updated', (order) => {
    if (order.status === 'offered') return; // the new offer went out as task:offered
    toCaregiver('task:updated', order.assigneeId, order);
    // the caregiver who just declined or timed out hears that it is no longer theirs
    const passed = order.passedBy[order.passedBy.length - 1];
    if (passed && passed !== order.assigneeId && order.status !== 'accepted')
      toCaregiver('task:updated', passed, order);
  });
}

import type { Namespace } from 'socket.io';
import {
  type CaregiverClientToServerEvents,
  type CaregiverServerToClientEvents,
  RESOLVE_OUTCOMES,
  type ServiceOrderView,
  TASK_PROGRESS_STATUSES,
  type TaskWithdrawnView,
} from '@anxin/contract';
import type { AuthService } from '../auth/auth.service';
import type { DispatchService } from '../dispatch/dispatch.service';
import { ackError, AppError } from '../errors/app.errors';
import type { RepeatedLog } from '../logging/repeated-log';
import { principalOf, requirePrincipal, userRoom } from './socket-auth';

export type CaregiverNamespace = Namespace<CaregiverClientToServerEvents, CaregiverServerToClientEvents>;

/** CONTRACT §4 `/caregiver`: the caregiver's own offers and tasks only. */
export function setUpCaregiver(
  nsp: CaregiverNamespace,
  deps: { auth: AuthService; dispatch: DispatchService; log: RepeatedLog },
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
        (error: unknown) => deps.log.error('caregiver:snapshot', { err: error }, 'could not send the task snapshot'),
      );
    const respond = (work: () => Promise<ServiceOrderView>, ack: unknown) => {
      if (typeof ack !== 'function') return;
      work().then(
        (order) =>
          deps.dispatch.withResident(order as never, principal.userId).then((o) => (ack as (r: unknown) => void)(o)),
        (e: unknown) => (ack as (r: unknown) => void)(ackError(e)),
      );
    };
    socket.on('task:accept', (req, ack) => respond(() => deps.dispatch.accept(principal, String(req?.id ?? '')), ack));
    socket.on('task:decline', (req, ack) =>
      respond(() => deps.dispatch.decline(principal, String(req?.id ?? '')), ack),
    );
    socket.on('task:progress', (req, ack) => {
      if (!TASK_PROGRESS_STATUSES.includes(req?.status))
        return (
          typeof ack === 'function' &&
          ack(ackError(new AppError('invalid_input', `status: expected one of ${TASK_PROGRESS_STATUSES.join(', ')}`)))
        );
      if (req.outcome !== undefined && !RESOLVE_OUTCOMES.includes(req.outcome))
        return (
          typeof ack === 'function' &&
          ack(ackError(new AppError('invalid_input', `outcome: expected one of ${RESOLVE_OUTCOMES.join(', ')}`)))
        );
      respond(
        () =>
          deps.dispatch.progress(
            principal,
            String(req.id ?? ''),
            req.status,
            typeof req.note === 'string' ? req.note : null,
            req.outcome ?? null,
          ),
        ack,
      );
    });
  });
  const toCaregiver = (event: 'task:offered' | 'task:updated', userId: string | null, order: ServiceOrderView) => {
    if (!userId) return;
    deps.dispatch.withResident(order as never, userId).then(
      (o) => nsp.to(userRoom(userId)).emit(event, o as ServiceOrderView),
      (error: unknown) => deps.log.error('caregiver:emit-task', { err: error }, 'could not emit a task'),
    );
  };
  // A broadcast offer goes to everyone its wave waits on.
  deps.dispatch.signals.on('offered', (order) => {
    for (const userId of order.offeredToAll.length ? order.offeredToAll : [order.offeredTo])
      toCaregiver('task:offered', userId, order);
  });
  deps.dispatch.signals.on('updated', (order) => {
    if (order.status === 'offered') return; // the new offer went out as task:offered
    toCaregiver('task:updated', order.assigneeId, order);
  });
  // CONTRACT §3 (v1.1): a caregiver whose offer timed out, was taken, declined or cancelled is told once.
  // Issue 12 item 12: only that it is no longer theirs; notes and resident details stay with the assignee.
  deps.dispatch.signals.on('withdrawn', (order, caregiverIds) => {
    const notice: TaskWithdrawnView = {
      id: order.id,
      kind: order.kind,
      status: order.status,
      withdrawn: true,
      updatedAt: order.updatedAt,
    };
    for (const userId of caregiverIds)
      if (userId !== order.assigneeId) nsp.to(userRoom(userId)).emit('task:updated', notice);
  });
}

// Typed socket.io event maps (CONTRACT §4), declared once for the gateways,
// the console, the caregiver app and the simulator:
//   server: new Server<ConsoleClientToServerEvents, ConsoleServerToClientEvents>().of(CONSOLE_NAMESPACE)
//   client: io(`${url}${CONSOLE_NAMESPACE}`) as Socket<ConsoleServerToClientEvents, ConsoleClientToServerEvents>
import type { AlertView, ResolveOutcome, ServiceOrderView } from './domain';

export const CONSOLE_NAMESPACE = '/console';
export const CAREGIVER_NAMESPACE = '/caregiver';

/** What every acknowledgement callback receives: the updated record or `{error}` (CONTRACT §4). */
/** A refused action: the message names the field first; `statusCode` is the HTTP equivalent's status. */
export type SocketAckResult<T> = T | { error: string; statusCode?: number };
export type SocketAck<T> = (res: SocketAckResult<T>) => void;

// --- /console (admin, operator) -------------------------------------------

export interface ConsoleServerToClientEvents {
  /** CONTRACT §4: on connect, the open, acknowledged and dispatched alerts in scope. */
  'alerts:snapshot': (alerts: AlertView[]) => void;
  'alert:raised': (alert: AlertView) => void;
  'alert:updated': (alert: AlertView) => void;
  /** Ours: the operators' live order board. */
  'order:updated': (order: ServiceOrderView) => void;
  /** CONTRACT §4: "`unassigned` (no one could take it; operators are told)". */
  'order:unassigned': (order: ServiceOrderView) => void;
}

export interface AcknowledgeAlertRequest {
  id: string;
  note?: string;
}

export interface ResolveAlertRequest {
  id: string;
  outcome: ResolveOutcome;
  note?: string;
}

/** Ours: socket equivalents of POST /alerts/{id}/acknowledge|resolve. */
export interface ConsoleClientToServerEvents {
  'alert:acknowledge': (req: AcknowledgeAlertRequest, ack: SocketAck<AlertView>) => void;
  'alert:resolve': (req: ResolveAlertRequest, ack: SocketAck<AlertView>) => void;
}

// --- /caregiver -------------------------------------------------------------

/**
 * Ours (issue 12 item 12): what a caregiver whose offer ended (taken by someone else, timed out, declined,
 * cancelled) is told, once: only that the order is no longer theirs — no notes, no resident details.
 */
export interface TaskWithdrawnView {
  id: string;
  kind: ServiceOrderView['kind'];
  status: ServiceOrderView['status'];
  withdrawn: true;
  updatedAt: string;
}

export interface CaregiverServerToClientEvents {
  /** CONTRACT §4: on connect, the caregiver's offered and active tasks. */
  'tasks:snapshot': (orders: ServiceOrderView[]) => void;
  'task:offered': (order: ServiceOrderView) => void;
  /** The whole order for its assignee; a withdrawal notice for a caregiver who lost it. */
  'task:updated': (order: ServiceOrderView | TaskWithdrawnView) => void;
}

export const isTaskWithdrawn = (o: ServiceOrderView | TaskWithdrawnView): o is TaskWithdrawnView =>
  'withdrawn' in o && o.withdrawn === true;

export interface TaskRequest {
  id: string;
}

/** CONTRACT §4: the statuses a caregiver may report through `task:progress`. */
export const TASK_PROGRESS_STATUSES = ['en_route', 'on_site', 'completed'] as const;
export type TaskProgressStatus = (typeof TASK_PROGRESS_STATUSES)[number];

export interface TaskProgressRequest {
  id: string;
  status: TaskProgressStatus;
  note?: string;
  /** With `completed`: what it turned out to be; without one the operator resolves the alert. */
  outcome?: ResolveOutcome;
}

export interface CaregiverClientToServerEvents {
  'task:accept': (req: TaskRequest, ack: SocketAck<ServiceOrderView>) => void;
  'task:decline': (req: TaskRequest, ack: SocketAck<ServiceOrderView>) => void;
  'task:progress': (req: TaskProgressRequest, ack: SocketAck<ServiceOrderView>) => void;
}

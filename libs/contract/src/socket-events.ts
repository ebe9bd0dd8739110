// Typed socket.io event maps (CONTRACT §4), declared once for the gateways,
// the console, the caregiver app and the simulator:
//   server: new Server<ConsoleClientToServerEvents, ConsoleServerToClientEvents>().of(CONSOLE_NAMESPACE)
//   client: io(`${url}${CONSOLE_NAMESPACE}`) as Socket<ConsoleServerToClientEvents, ConsoleClientToServerEvents>
import type { AlertView, ResolveOutcome, ServiceOrderView } from './domain';

export const CONSOLE_NAMESPACE = '/console';
export const CAREGIVER_NAMESPACE = '/caregiver';

/** What every acknowledgement callback receives: the updated record or `{error}` (CONTRACT §4). */
export type SocketAckResult<T> = T | { error: string };
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

export interface CaregiverServerToClientEvents {
  /** CONTRACT §4: on connect, the caregiver's offered and active tasks. */
  'tasks:snapshot': (orders: ServiceOrderView[]) => void;
  'task:offered': (order: ServiceOrderView) => void;
  'task:updated': (order: ServiceOrderView) => void;
}

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
}

export interface CaregiverClientToServerEvents {
  'task:accept': (req: TaskRequest, ack: SocketAck<ServiceOrderView>) => void;
  'task:decline': (req: TaskRequest, ack: SocketAck<ServiceOrderView>) => void;
  'task:progress': (req: TaskProgressRequest, ack: SocketAck<ServiceOrderView>) => void;
}

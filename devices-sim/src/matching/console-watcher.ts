// Watches /console as an operator would (CONTRACT §4) and timestamps every
// alert event on arrival, on the same clock the devices publish by, so
// latency is one subtraction with no cross-host clock skew.
import {
  type AlertView,
  CONSOLE_NAMESPACE,
  type ConsoleClientToServerEvents,
  type ConsoleServerToClientEvents,
} from '@anxin/contract';
import { io, type Socket } from 'socket.io-client';
import type { Clock } from '../clock';
import type { AlertObservation, ObservedAlert } from './incident';

type ConsoleSocket = Socket<ConsoleServerToClientEvents, ConsoleClientToServerEvents>;

export class ConsoleUnavailableError extends Error {}

export class ConsoleWatcher {
  readonly observations: AlertObservation[] = [];
  disconnects = 0;
  /** Called with each observation as it arrives (e.g. to dispatch an alert as an operator would). */
  onObservation: (obs: AlertObservation) => void = () => undefined;
  private socket: ConsoleSocket | null = null;
  private readonly known = new Set<string>();
  private watchingSince = 0;

  constructor(
    private readonly apiUrl: string,
    private readonly token: () => string,
    private readonly clock: Clock,
    private readonly log: (line: string) => void,
  ) {}

  /** Connects and resolves with the first `alerts:snapshot` (the alerts open before the run). */
  start(timeoutMs = 15_000): Promise<AlertView[]> {
    this.watchingSince = this.clock();
    const socket: ConsoleSocket = io(`${this.apiUrl}${CONSOLE_NAMESPACE}`, {
      // A function, so a reconnect presents the current token rather than the first one.
      auth: (cb) => cb({ token: this.token() }),
      transports: ['websocket'],
      reconnectionDelay: 500,
      reconnectionDelayMax: 5_000,
    });
    this.socket = socket;
    socket.on('alert:raised', (alert) => this.observe('raised', alert));
    socket.on('alert:updated', (alert) => {
      // Raised while we were disconnected: count it as raised now (late, but not lost).
      if (!this.known.has(alert.id) && Date.parse(alert.openedAt) >= this.watchingSince - 1_000) {
        this.observe('raised', alert);
      }
      this.observe('updated', alert);
    });
    socket.on('disconnect', (reason) => {
      if (reason === 'io client disconnect') return;
      this.disconnects += 1;
      this.log(`console disconnected (${reason}); reconnecting`);
    });
    return new Promise((resolve, reject) => {
      let first = true;
      const timer = setTimeout(() => {
        fail(
          new ConsoleUnavailableError(`no alerts:snapshot from ${this.apiUrl}${CONSOLE_NAMESPACE} in ${timeoutMs} ms`),
        );
      }, timeoutMs);
      const fail = (error: Error) => {
        clearTimeout(timer);
        socket.close();
        reject(error);
      };
      socket.on('connect_error', (error) => {
        // A refusal by the server's middleware (bad token, wrong role) is final; a network error is retried.
        if (first && !socket.active)
          fail(new ConsoleUnavailableError(`console refused the connection: ${error.message}`));
      });
      socket.on('alerts:snapshot', (alerts) => {
        if (first) {
          first = false;
          clearTimeout(timer);
          for (const alert of alerts) this.known.add(alert.id);
          resolve(alerts);
          return;
        }
        // After a reconnect: anything opened during the gap is a raise we did not see.
        for (const alert of alerts) {
          if (!this.known.has(alert.id) && Date.parse(alert.openedAt) >= this.watchingSince - 1_000) {
            this.observe('raised', alert);
          }
        }
      });
    });
  }

  close(): void {
    this.socket?.close();
    this.socket = null;
  }

  private observe(event: AlertObservation['event'], alert: AlertView): void {
    this.known.add(alert.id);
    const observed: ObservedAlert = {
      id: alert.id,
      residentId: alert.residentId,
      kind: alert.kind,
      status: alert.status,
      outcome: alert.outcome,
      openedAt: alert.openedAt,
      orderStatus: alert.orderStatus ?? null,
    };
    const obs: AlertObservation = { event, at: this.clock(), alert: observed };
    this.observations.push(obs);
    this.onObservation(obs);
  }
}

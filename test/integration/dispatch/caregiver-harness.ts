import { io, type Socket } from 'socket.io-client';
import type {
  CaregiverClientToServerEvents,
  CaregiverServerToClientEvents,
  ServiceOrderView,
  TaskWithdrawnView,
} from '@anxin/contract';
import type { ApiClient } from '../../support/api-client';
import { unique } from '../../support/platform-harness';

export type CaregiverSocket = Socket<CaregiverServerToClientEvents, CaregiverClientToServerEvents>;

/** A caregiver with a real socket.io client on `/caregiver`, recording what it is told. */
export interface Caregiver {
  id: string;
  api: ApiClient;
  socket: CaregiverSocket;
  offers: ServiceOrderView[];
  updates: (ServiceOrderView | TaskWithdrawnView)[];
  /** The first task:offered / task:updated matching, waiting up to `timeoutMs`. */
  waitFor(
    event: 'task:offered',
    match: (o: ServiceOrderView) => boolean,
    timeoutMs?: number,
  ): Promise<ServiceOrderView>;
  waitFor(event: 'task:updated', match: (o: TaskUpdate) => boolean, timeoutMs?: number): Promise<TaskUpdate>;
}

/** The whole order (to its assignee) or a bare withdrawal notice (to a caregiver who lost it). */
export type TaskUpdate = ServiceOrderView | TaskWithdrawnView;

export async function addCaregiver(
  t: { admin: ApiClient; api: ApiClient },
  unitId: string,
  skills: string[],
): Promise<Caregiver> {
  const username = unique('cg');
  const created = await t.admin.post('/api/v1/users', {
    username,
    password: 'caregiver-pass',
    role: 'caregiver',
    orgUnitId: unitId,
    skills,
  });
  if (created.status !== 201) throw new Error(JSON.stringify(created.body));
  const api = await t.api.login(username, 'caregiver-pass');
  const socket: CaregiverSocket = io(`${t.api.baseUrl}/caregiver`, {
    auth: { token: api.token },
    transports: ['websocket'],
    reconnection: false,
  });
  const c: Caregiver = {
    id: created.body.id,
    api,
    socket,
    offers: [],
    updates: [],
    waitFor: ((event: 'task:offered' | 'task:updated', match: (o: TaskUpdate) => boolean, timeoutMs = 10_000) => {
      const seen = (event === 'task:offered' ? c.offers : c.updates).find(match);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          socket.off(event, listener);
          reject(new Error(`${username}: no ${event} matching within ${timeoutMs} ms`));
        }, timeoutMs);
        const listener = (o: TaskUpdate) => {
          if (!match(o)) return;
          clearTimeout(timer);
          socket.off(event, listener);
          resolve(o);
        };
        socket.on(event, listener);
      });
    }) as Caregiver['waitFor'],
  };
  socket.on('task:offered', (o) => c.offers.push(o));
  socket.on('task:updated', (o) => c.updates.push(o));
  await new Promise<void>((resolve) => socket.once('tasks:snapshot', () => resolve()));
  return c;
}

import { io, type Socket } from 'socket.io-client';
import type { AlertView, ConsoleClientToServerEvents, ConsoleServerToClientEvents } from '@anxin/contract';

export interface ConsoleWatcher {
  socket: Socket<ConsoleServerToClientEvents, ConsoleClientToServerEvents>;
  snapshot: AlertView[];
  raised: AlertView[];
  updated: AlertView[];
  /** Resolves with the first raised/updated alert matching, waiting up to `timeoutMs`. */
  waitFor(
    event: 'alert:raised' | 'alert:updated',
    match: (a: AlertView) => boolean,
    timeoutMs?: number,
  ): Promise<AlertView>;
  close(): void;
}

/** A real socket.io client on `/console` (CONTRACT §4). */
export function watchConsole(baseUrl: string, token: string): Promise<ConsoleWatcher> {
  const socket: Socket<ConsoleServerToClientEvents, ConsoleClientToServerEvents> = io(`${baseUrl}/console`, {
    auth: { token },
    transports: ['websocket'],
    reconnection: false,
  });
  const watcher: ConsoleWatcher = {
    socket,
    snapshot: [],
    raised: [],
    updated: [],
    waitFor: (event, match, timeoutMs = 10_000) => {
      const seen = (event === 'alert:raised' ? watcher.raised : watcher.updated).find(match);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          socket.off(event, listener);
          reject(new Error(`no ${event} matching within ${timeoutMs} ms`));
        }, timeoutMs);
        const listener = (alert: AlertView) => {
          if (!match(alert)) return;
          clearTimeout(timer);
          socket.off(event, listener);
          resolve(alert);
        };
        socket.on(event, listener);
      });
    },
    close: () => socket.close(),
  };
  socket.on('alert:raised', (a) => watcher.raised.push(a));
  socket.on('alert:updated', (a) => watcher.updated.push(a));
  return new Promise((resolve, reject) => {
    socket.once('alerts:snapshot', (alerts) => {
      watcher.snapshot = alerts;
      resolve(watcher);
    });
    socket.once('connect_error', (error) => {
      socket.close();
      reject(error);
    });
  });
}

import { useEffect, useRef, useState } from 'react';
import { io, type Socket } from 'socket.io-client';
import type { SocketAckResult } from '@anxin/contract';
import { ApiError } from './api-client';

export type ConnectionState = 'connecting' | 'online' | 'reconnecting' | 'offline';

// socket.io-client's own EventsMap constraint: any interface of listeners.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyEvents = Record<string, any>;

/**
 * One socket.io connection to a namespace (CONTRACT §4: path /socket.io, `auth: {token}`).
 * socket.io-client reconnects by itself with back-off; the server re-sends its snapshot on every
 * (re)connect, which is how a flaky phone or a restarted platform comes back to the truth.
 */
export function useRealtime<S extends AnyEvents, C extends AnyEvents>(
  namespace: string,
  token: string,
  onAuthFailure: () => void,
  handlers: { [K in keyof S]: S[K] },
): { socket: Socket<S, C> | null; state: ConnectionState } {
  const [socket, setSocket] = useState<Socket<S, C> | null>(null);
  const [state, setState] = useState<ConnectionState>('connecting');
  const handlersRef = useRef(handlers);
  handlersRef.current = handlers;

  useEffect(() => {
    const s: Socket<S, C> = io(namespace, {
      path: '/socket.io',
      auth: { token },
      // WebSocket first (issue 14): one TCP connection, so a plain round-robin balancer in front of
      // several processes works; long-polling's several requests need sticky sessions (docs/DEPLOY.md),
      // and it is tried only where a WebSocket cannot be opened.
      transports: ['websocket', 'polling'],
      tryAllTransports: true,
      reconnectionDelay: 500,
      reconnectionDelayMax: 5000,
      timeout: 10_000,
      autoConnect: false,
    });
    // Listeners go on before connecting: the server sends its snapshot straight after the
    // handshake, and a listener added a render later could miss it. They call the latest handlers.
    const untyped = s as unknown as { on(event: string, listener: (...args: unknown[]) => void): void };
    for (const event of Object.keys(handlersRef.current)) {
      untyped.on(event, (...args: unknown[]) =>
        (handlersRef.current[event] as ((...a: unknown[]) => void) | undefined)?.(...args),
      );
    }
    setSocket(s);
    setState('connecting');
    s.on('connect', () => setState('online'));
    s.on('disconnect', (reason) => {
      // 'io server disconnect': the server dropped us on purpose (e.g. token revoked); socket.io will not retry.
      if (reason === 'io server disconnect') {
        setState('offline');
        window.setTimeout(() => s.connect(), 2000);
      } else {
        setState('reconnecting');
      }
    });
    s.on('connect_error', (error: Error) => {
      if (/unauthori[sz]ed|invalid token|jwt|forbidden/i.test(error.message)) {
        onAuthFailure();
        return;
      }
      setState(s.active ? 'reconnecting' : 'offline');
      if (!s.active) window.setTimeout(() => s.connect(), 3000);
    });
    s.connect();
    const onOnline = () => {
      if (!s.connected) s.connect();
    };
    window.addEventListener('online', onOnline);
    return () => {
      window.removeEventListener('online', onOnline);
      s.removeAllListeners();
      s.disconnect();
      setSocket(null);
    };
  }, [namespace, token, onAuthFailure]);

  return { socket, state };
}

/** Turns a socket.io acknowledgement (`T | {error}`) into a value or a thrown Error. */
export function unwrapAck<T>(result: SocketAckResult<T>): T {
  if (result && typeof result === 'object' && 'error' in result && !('id' in result)) {
    // A refusal reads like its HTTP equivalent's (a 409 when the offer went to someone else).
    const { error, statusCode } = result as { error: unknown; statusCode?: unknown };
    throw new ApiError(typeof statusCode === 'number' ? statusCode : 500, String(error));
  }
  return result as T;
}

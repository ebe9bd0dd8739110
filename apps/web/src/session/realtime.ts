import { useEffect, useState } from 'react';
import { io, type Socket } from 'socket.io-client';
import type { SocketAckResult } from '@anxin/contract';

export type ConnectionState = 'connecting' | 'online' | 'reconnecting' | 'offline';

type AnyEvents = Record<string, (...args: never[]) => void>;

/**
 * One socket.io connection to a namespace (CONTRACT §4: path /socket.io, `auth: {token}`).
 * socket.io-client reconnects by itself with back-off; the server re-sends its snapshot on every
 * (re)connect, which is how a flaky phone or a restarted platform comes back to the truth.
 */
export function useRealtime<S extends AnyEvents, C extends AnyEvents>(
  namespace: string,
  token: string,
  onAuthFailure: () => void,
): { socket: Socket<S, C> | null; state: ConnectionState } {
  const [socket, setSocket] = useState<Socket<S, C> | null>(null);
  const [state, setState] = useState<ConnectionState>('connecting');

  useEffect(() => {
    const s: Socket<S, C> = io(namespace, {
      path: '/socket.io',
      auth: { token },
      reconnectionDelay: 500,
      reconnectionDelayMax: 5000,
      timeout: 10_000,
    });
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
    throw new Error(String((result as { error: unknown }).error));
  }
  return result as T;
}

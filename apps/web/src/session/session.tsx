import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';
import type { LoginResponse, Role } from '@anxin/contract';
import { ApiClient, ApiError } from './api-client';

export type Session = LoginResponse;
export type AppName = 'console' | 'caregiver';

/** Which roles may sign in to which app (CONTRACT §4: /console is admin/operator, /caregiver is caregiver). */
export const APP_ROLES: Record<AppName, readonly Role[]> = {
  console: ['admin', 'operator'],
  caregiver: ['caregiver'],
};

const storageKey = (app: AppName) => `anxin.${app}.session`;

/** Everything the app keeps in this browser lives under `anxin.<app>.` (the session, the caregiver's history). */
function clearStoredData(app: AppName): void {
  for (const key of Object.keys(localStorage)) if (key.startsWith(`anxin.${app}.`)) localStorage.removeItem(key);
  sessionStorage.clear();
}

function loadSession(app: AppName): Session | null {
  try {
    const raw = localStorage.getItem(storageKey(app));
    if (!raw) return null;
    const session = JSON.parse(raw) as Session;
    if (!session.accessToken || !session.user) return null;
    if (session.expiresAt && Date.parse(session.expiresAt) <= Date.now()) return null;
    return session;
  } catch {
    return null;
  }
}

export type LoginFailure = 'credentials' | 'rate_limited' | 'wrong_app' | 'network' | 'server';

export class LoginError extends Error {
  constructor(readonly reason: LoginFailure) {
    super(reason);
  }
}

interface SessionValue {
  app: AppName;
  session: Session | null;
  api: ApiClient;
  login: (username: string, password: string) => Promise<void>;
  logout: () => void;
}

const SessionContext = createContext<SessionValue | null>(null);

export function SessionProvider({ app, children }: { app: AppName; children: ReactNode }) {
  const [session, setSession] = useState<Session | null>(() => loadSession(app));

  // Sign-out (or a 401): the platform revokes every token of the user and closes its sockets
  // (issue 12 item 9); nothing of the session is left in the browser (item 14).
  const logout = useCallback(() => {
    const token = loadSession(app)?.accessToken;
    if (token) void new ApiClient(token).post('/auth/logout').catch(() => undefined);
    clearStoredData(app);
    setSession(null);
  }, [app]);

  const login = useCallback(
    async (username: string, password: string) => {
      let res: Session;
      try {
        res = await new ApiClient(null).post<Session>('/auth/login', { username, password });
      } catch (error) {
        if (error instanceof ApiError) {
          if (error.status === 401 || error.status === 400) throw new LoginError('credentials');
          if (error.status === 429) throw new LoginError('rate_limited');
          if (error.status === 0) throw new LoginError('network');
        }
        throw new LoginError('server');
      }
      if (!APP_ROLES[app].includes(res.user.role)) throw new LoginError('wrong_app');
      localStorage.setItem(storageKey(app), JSON.stringify(res));
      setSession(res);
    },
    [app],
  );

  const api = useMemo(() => new ApiClient(session?.accessToken ?? null, logout), [session, logout]);
  const value = useMemo(() => ({ app, session, api, login, logout }), [app, session, api, login, logout]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession outside SessionProvider');
  return value;
}

/** For screens that only render signed in. */
export function useSignedIn(): SessionValue & { session: Session } {
  const value = useSession();
  if (!value.session) throw new Error('useSignedIn without a session');
  return value as SessionValue & { session: Session };
}

import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';

export const DEFAULT_TIME_ZONE = 'Asia/Shanghai';

function isValidTimeZone(zone: unknown): zone is string {
  if (typeof zone !== 'string' || zone === '') return false;
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/**
 * The platform's configured time zone (CONTRACT §1 TZ / ANXIN_TIMEZONE), read from
 * `GET /api/v1/health` field `timezone` when the platform exposes it; Asia/Shanghai otherwise.
 */
export async function fetchServerTimeZone(): Promise<string> {
  try {
    const res = await fetch('/api/v1/health', { headers: { accept: 'application/json' } });
    if (!res.ok) return DEFAULT_TIME_ZONE;
    const body = (await res.json()) as { timezone?: unknown };
    return isValidTimeZone(body.timezone) ? body.timezone : DEFAULT_TIME_ZONE;
  } catch {
    return DEFAULT_TIME_ZONE;
  }
}

const TimeZoneContext = createContext<string>(DEFAULT_TIME_ZONE);

export function TimeZoneProvider({ children }: { children: ReactNode }) {
  const [zone, setZone] = useState(DEFAULT_TIME_ZONE);
  useEffect(() => {
    let live = true;
    void fetchServerTimeZone().then((z) => live && setZone(z));
    return () => {
      live = false;
    };
  }, []);
  return <TimeZoneContext.Provider value={zone}>{children}</TimeZoneContext.Provider>;
}

export function useTimeZone(): string {
  return useContext(TimeZoneContext);
}

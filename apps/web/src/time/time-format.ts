import { useMemo } from 'react';
import { useI18n } from '../i18n/i18n';
import { useTimeZone } from './time-zone';

export interface TimeFormat {
  /** 14:03:27 */
  time: (iso: string | Date | null | undefined) => string;
  /** 11-23 14:03 */
  dateTime: (iso: string | Date | null | undefined) => string;
  /** 2026-11-23 14:03:27 */
  full: (iso: string | Date | null | undefined) => string;
  /** 2026-11-23 */
  date: (iso: string | Date | null | undefined) => string;
  timeZone: string;
}

function make(locale: string, timeZone: string, options: Intl.DateTimeFormatOptions) {
  const format = new Intl.DateTimeFormat(locale === 'zh-CN' ? 'zh-CN' : 'en-GB', {
    timeZone,
    hourCycle: 'h23',
    ...options,
  });
  return (value: string | Date | null | undefined): string => {
    if (value == null || value === '') return '—';
    const date = value instanceof Date ? value : new Date(value);
    return Number.isNaN(date.getTime()) ? '—' : format.format(date);
  };
}

/** Dates and times always in the platform's zone, never the browser's (issue 7). */
export function useTimeFormat(): TimeFormat {
  const { locale } = useI18n();
  const timeZone = useTimeZone();
  return useMemo(
    () => ({
      timeZone,
      time: make(locale, timeZone, { hour: '2-digit', minute: '2-digit', second: '2-digit' }),
      dateTime: make(locale, timeZone, { month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' }),
      full: make(locale, timeZone, {
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
      }),
      date: make(locale, timeZone, { year: 'numeric', month: '2-digit', day: '2-digit' }),
    }),
    [locale, timeZone],
  );
}

/** `mm:ss` under an hour, `h:mm:ss` under a day, `Nd hh:mm` beyond. */
export function formatElapsed(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const s = total % 60;
  const m = Math.floor(total / 60) % 60;
  const h = Math.floor(total / 3600);
  const pad = (n: number) => String(n).padStart(2, '0');
  if (h >= 24) return `${Math.floor(h / 24)}d ${pad(h % 24)}:${pad(m)}`;
  return h > 0 ? `${h}:${pad(m)}:${pad(s)}` : `${pad(m)}:${pad(s)}`;
}

/** Whole years between a birth date (YYYY-MM-DD) and now. */
export function ageInYears(birthDate: string | null | undefined, now = new Date()): number | null {
  if (!birthDate) return null;
  const [y, m, d] = birthDate.split('-').map(Number);
  if (!y || !m || !d) return null;
  let age = now.getFullYear() - y;
  if (now.getMonth() + 1 < m || (now.getMonth() + 1 === m && now.getDate() < d)) age -= 1;
  return age;
}

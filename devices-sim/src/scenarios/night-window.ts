// Night-time rules (not back in bed, night wandering) run on the platform's
// local clock (CONTRACT §1: TZ / ANXIN_TIMEZONE, default Asia/Shanghai), not
// on the simulator's compressed routine clock. So a scenario that needs "night"
// gives its resident a night window around the real time of the run, and a
// daytime look-alike one that stays clear of it.

import type { CareProfile } from '@anxin/contract';
import type { ProfileContext } from './scenario';

export interface NightWindow {
  start: string;
  end: string;
}

const DAY_MIN = 1440;

/** Minute of the day at `atMs` in `timeZone`. */
export function localMinuteOfDay(atMs: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(new Date(atMs));
  const hour = Number(parts.find((p) => p.type === 'hour')?.value ?? 0);
  const minute = Number(parts.find((p) => p.type === 'minute')?.value ?? 0);
  return hour * 60 + minute;
}

/** `HH:MM` for a minute of the day (wrapped), the form careProfileSchema expects. */
export function formatClock(minuteOfDay: number): string {
  const m = ((Math.round(minuteOfDay) % DAY_MIN) + DAY_MIN) % DAY_MIN;
  return `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
}

/**
 * A window that contains the whole run: from half an hour before now to half
 * an hour after the run ends (at most 23 h, so start and end never meet).
 */
export function nightWindowCovering(nowMs: number, runSeconds: number, timeZone: string): NightWindow {
  const now = localMinuteOfDay(nowMs, timeZone);
  const span = Math.min(23 * 60 - 30, Math.ceil(runSeconds / 60) + 30);
  return { start: formatClock(now - 30), end: formatClock(now + span) };
}

/** A one-hour window that starts an hour after the run ends, so "now" is daytime for the rules. */
export function nightWindowAvoiding(nowMs: number, runSeconds: number, timeZone: string): NightWindow {
  const now = localMinuteOfDay(nowMs, timeZone);
  const startOffset = Math.min(22 * 60, Math.ceil(runSeconds / 60) + 60);
  return { start: formatClock(now + startOffset), end: formatClock(now + startOffset + 60) };
}

/** Whether `minuteOfDay` falls in a window (which may wrap midnight). */
export function windowContains(window: NightWindow, minuteOfDay: number): boolean {
  const toMin = (clock: string) => {
    const [h, m] = clock.split(':').map(Number);
    return (h ?? 0) * 60 + (m ?? 0);
  };
  const start = toMin(window.start);
  const end = toMin(window.end);
  return start <= end ? minuteOfDay >= start && minuteOfDay < end : minuteOfDay >= start || minuteOfDay < end;
}

/** A scenario's care profile: a night window around the run (or clear of it), plus `rest`. */
export function withNightWindow(placement: 'covering' | 'avoiding', rest: Omit<CareProfile, 'nightWindow'>) {
  const place = placement === 'covering' ? nightWindowCovering : nightWindowAvoiding;
  return (p: ProfileContext): CareProfile => ({ ...rest, nightWindow: place(p.nowMs, p.runSeconds, p.timeZone) });
}

import { type LocalDate, localToday, startOfLocalDay } from '@anxin/contract';
import { localMinutes } from '../alerts/rules/night-window';

/** A weekly plan: weekdays 1 = Monday … 7 = Sunday, time HH:MM local in the platform's zone. */
export interface WeeklySlots {
  weekdays: number[];
  timeOfDay: string;
}

const minutesOf = (timeOfDay: string): number => {
  const [h, m] = timeOfDay.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
};

/** The occurrences of a weekly plan in `[from, to)`, in the platform's time zone. Pure, for testing. */
export function slotsBetween(plan: WeeklySlots, from: Date, to: Date, timezone: string): Date[] {
  const target = minutesOf(plan.timeOfDay);
  const first = localToday(timezone, from);
  const slots: Date[] = [];
  // Walk local dates from `from`'s; a slot is the instant whose local clock reads the plan's time that day.
  for (let day = 0; ; day++) {
    const date = new Date(Date.UTC(first.year, first.month - 1, first.day + day));
    const local: LocalDate = { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate() };
    const at = new Date(startOfLocalDay(local, timezone).getTime() + target * 60_000);
    if (at >= to) return slots;
    if (at >= from && plan.weekdays.includes(isoWeekday(at, timezone))) slots.push(at);
  }
}

/** The occurrences within `horizonMs` after `now` (not `now` itself): the generator's window. */
export function upcomingSlots(plan: WeeklySlots, now: Date, horizonMs: number, timezone: string): Date[] {
  return slotsBetween(plan, new Date(now.getTime() + 1), new Date(now.getTime() + horizonMs + 1), timezone);
}

/** Whether `at` is one of the plan's occurrences (an order of an edited plan may no longer be). */
export function isPlanSlot(plan: WeeklySlots, at: Date, timezone: string): boolean {
  return (
    at.getUTCSeconds() === 0 &&
    localMinutes(at, timezone) === minutesOf(plan.timeOfDay) &&
    plan.weekdays.includes(isoWeekday(at, timezone))
  );
}

/** 1 = Monday … 7 = Sunday of `at` in `timezone`. */
export function isoWeekday(at: Date, timezone: string): number {
  const name = new Intl.DateTimeFormat('en-US', { timeZone: timezone, weekday: 'short' }).format(at);
  return ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].indexOf(name) + 1;
}

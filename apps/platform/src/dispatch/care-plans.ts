import { localMinutes } from '../alerts/rules/night-window';

/**
 * The next occurrences of a weekly plan (weekdays 1 = Monday … 7 = Sunday, time HH:MM
 * local) within `horizonMs` of `now`, in the platform's time zone. Pure, for testing.
 */
export function upcomingSlots(
  plan: { weekdays: number[]; timeOfDay: string },
  now: Date,
  horizonMs: number,
  timezone: string,
): Date[] {
  const [h, m] = plan.timeOfDay.split(':').map(Number);
  const target = (h ?? 0) * 60 + (m ?? 0);
  const slots: Date[] = [];
  // Walk local days from today; a slot is the instant whose local clock reads the plan's time.
  const minutesNow = localMinutes(now, timezone);
  for (let day = 0; day <= Math.ceil(horizonMs / 86_400_000) + 1; day++) {
    const at = new Date(now.getTime() + (day * 1440 + target - minutesNow) * 60_000);
    at.setUTCSeconds(0, 0);
    if (at <= now || at.getTime() - now.getTime() > horizonMs) continue;
    if (plan.weekdays.includes(isoWeekday(at, timezone))) slots.push(at);
  }
  return slots;
}

function isoWeekday(at: Date, timezone: string): number {
  const name = new Intl.DateTimeFormat('en-US', { timeZone: timezone, weekday: 'short' }).format(at);
  return ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].indexOf(name) + 1;
}

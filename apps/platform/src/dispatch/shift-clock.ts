import { localMinutes } from '../alerts/rules/night-window';
import { isoWeekday } from './care-plans';

/** The local wall clock that caregivers' shift hours are read against (issue 16). */
export interface ShiftClock {
  /** HH:MM, comparable as text with the stored shift times. */
  time: string;
  /** ISO weekday, 1 = Monday … 7 = Sunday. */
  weekday: number;
  /** Yesterday's: a shift that crossed midnight started then. */
  previousWeekday: number;
}

export function shiftClock(at: Date, timezone: string): ShiftClock {
  const minutes = localMinutes(at, timezone);
  const weekday = isoWeekday(at, timezone);
  const pad = (n: number) => String(n).padStart(2, '0');
  return {
    time: `${pad(Math.floor(minutes / 60))}:${pad(minutes % 60)}`,
    weekday,
    previousWeekday: weekday === 1 ? 7 : weekday - 1,
  };
}

/**
 * SQL: user `u` is within its shift at the clock in parameters $time, $day, $prev (as `shiftClock` gives).
 * A shift ending before it starts crosses midnight: after midnight it is the previous day's shift.
 * Start = end is a 24-hour shift.
 */
export function withinShiftSql(time: string, day: string, prev: string): string {
  const startsOn = (d: string) => `(cardinality(u.shift_weekdays) = 0 OR ${d}::smallint = ANY(u.shift_weekdays))`;
  return `(u.shift_start IS NULL OR CASE
    WHEN u.shift_start < u.shift_end THEN ${time} >= u.shift_start AND ${time} < u.shift_end AND ${startsOn(day)}
    WHEN u.shift_start > u.shift_end THEN (${time} >= u.shift_start AND ${startsOn(day)})
                                       OR (${time} < u.shift_end AND ${startsOn(prev)})
    ELSE ${startsOn(day)} END)`;
}

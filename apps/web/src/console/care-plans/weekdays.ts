import { type LocalDate, localToday, startOfLocalDay } from '@anxin/contract';

export interface WeekDay {
  date: LocalDate;
  /** 1 = Monday … 7 = Sunday. */
  weekday: number;
  start: Date;
}

const addDays = (date: LocalDate, days: number): LocalDate => {
  const d = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
};

/** Monday to Sunday of the week `offset` weeks from this one, in the platform's zone; and `[from, to)`. */
export function weekOf(offset: number, timeZone: string, now = new Date()): { days: WeekDay[]; from: Date; to: Date } {
  const today = localToday(timeZone, now);
  const todayWeekday = new Date(Date.UTC(today.year, today.month - 1, today.day)).getUTCDay() || 7;
  const monday = addDays(today, offset * 7 - (todayWeekday - 1));
  const days = [0, 1, 2, 3, 4, 5, 6].map((i) => {
    const date = addDays(monday, i);
    return { date, weekday: i + 1, start: startOfLocalDay(date, timeZone) };
  });
  return { days, from: days[0]!.start, to: startOfLocalDay(addDays(monday, 7), timeZone) };
}

/** Whether two local dates are the same day. */
export const sameDate = (a: LocalDate, b: LocalDate) => a.year === b.year && a.month === b.month && a.day === b.day;

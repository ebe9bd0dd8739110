/** A calendar date in the platform's zone: year, month 1–12, day. */
export interface LocalDate {
  year: number;
  month: number;
  day: number;
}

/** Every field of a date and time, two digits each, on a 24-hour clock. */
const CLOCK_FIELDS: Intl.DateTimeFormatOptions = {
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
};

/** The zone's offset from UTC at `instant`, in ms (Intl, no time-zone library). */
function offsetMs(instant: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, ...CLOCK_FIELDS }).formatToParts(new Date(instant));
  const n = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  return Date.UTC(n('year'), n('month') - 1, n('day'), n('hour'), n('minute'), n('second')) - instant;
}

/** The instant local midnight begins on `date` in `timeZone` (the day and quarter boundaries of reports). */
export function startOfLocalDay(date: LocalDate, timeZone: string): Date {
  const guess = Date.UTC(date.year, date.month - 1, date.day);
  const first = guess - offsetMs(guess, timeZone);
  return new Date(guess - offsetMs(first, timeZone));
}

/** Today's date in `timeZone`. */
export function localToday(timeZone: string, now = new Date()): LocalDate {
  const [year, month, day] = new Intl.DateTimeFormat('en-CA', { timeZone }).format(now).split('-').map(Number);
  return { year: year!, month: month!, day: day! };
}

export type PeriodPreset = 'thisMonth' | 'lastMonth' | 'thisQuarter' | 'lastQuarter' | 'thisYear';

/** `[from, to)` of quarter `quarter` (1–4) of `year` in `timeZone` (the 季度报表). */
export function quarterPeriod(year: number, quarter: number, timeZone: string): { from: Date; to: Date } {
  const first = 1 + (quarter - 1) * 3;
  const next = first + 3 > 12 ? { year: year + 1, month: 1, day: 1 } : { year, month: first + 3, day: 1 };
  return { from: startOfLocalDay({ year, month: first, day: 1 }, timeZone), to: startOfLocalDay(next, timeZone) };
}

/** `[from, to)` of a preset in the platform's zone. */
export function presetPeriod(preset: PeriodPreset, timeZone: string, now = new Date()): { from: Date; to: Date } {
  const today = localToday(timeZone, now);
  const month = (year: number, m: number): LocalDate => {
    const y = year + Math.floor((m - 1) / 12);
    return { year: y, month: ((((m - 1) % 12) + 12) % 12) + 1, day: 1 };
  };
  const quarterStart = today.month - ((today.month - 1) % 3);
  const range = (a: LocalDate, b: LocalDate) => ({
    from: startOfLocalDay(a, timeZone),
    to: startOfLocalDay(b, timeZone),
  });
  switch (preset) {
    case 'thisMonth':
      return range(month(today.year, today.month), month(today.year, today.month + 1));
    case 'lastMonth':
      return range(month(today.year, today.month - 1), month(today.year, today.month));
    case 'thisQuarter':
      return range(month(today.year, quarterStart), month(today.year, quarterStart + 3));
    case 'lastQuarter':
      return range(month(today.year, quarterStart - 3), month(today.year, quarterStart));
    case 'thisYear':
      return range(month(today.year, 1), month(today.year + 1, 1));
  }
}

/** `YYYY-MM-DD HH:mm:ss` as the clock reads in `timeZone` (times in exported files). */
export function localDateTimeText(instant: Date | string, timeZone: string): string {
  return new Intl.DateTimeFormat('sv-SE', { timeZone, ...CLOCK_FIELDS }).format(new Date(instant));
}

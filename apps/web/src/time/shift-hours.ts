import type { Translate } from '../i18n/i18n';

/** ISO weekdays, 1 = Monday … 7 = Sunday: the days a caregiver's shift may start on. */
export const SHIFT_WEEKDAYS = [1, 2, 3, 4, 5, 6, 7] as const;

/** A caregiver's shift for people (issue 16): "08:00–17:00", "22:00–次日06:00 · 周一、周二", or "全天". */
export function shiftText(
  t: Translate,
  user: { shiftStart?: string | null; shiftEnd?: string | null; shiftWeekdays?: number[] },
): string {
  if (!user.shiftStart || !user.shiftEnd) return t('shift.anyTime');
  const end = user.shiftEnd <= user.shiftStart ? t('shift.nextDay', { time: user.shiftEnd }) : user.shiftEnd;
  const days = (user.shiftWeekdays ?? []).map((d) => t(`shift.weekday.${d as (typeof SHIFT_WEEKDAYS)[number]}`));
  return `${user.shiftStart}–${end}${days.length ? ` · ${days.join('、')}` : ''}`;
}

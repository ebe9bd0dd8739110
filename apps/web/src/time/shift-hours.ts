import type { Translate } from '../i18n/i18n';

/** A caregiver's shift for people (issue 16): "08:00–17:00", "22:00–次日06:00 · 周一、周二", or "全天". */
export function shiftText(
  t: Translate,
  weekdayName: (day: number) => string,
  user: { shiftStart?: string | null; shiftEnd?: string | null; shiftWeekdays?: number[] },
): string {
  if (!user.shiftStart || !user.shiftEnd) return t('shift.anyTime');
  const end = user.shiftEnd <= user.shiftStart ? t('shift.nextDay', { time: user.shiftEnd }) : user.shiftEnd;
  const days = (user.shiftWeekdays ?? []).map(weekdayName);
  return `${user.shiftStart}–${end}${days.length ? ` · ${days.join('、')}` : ''}`;
}

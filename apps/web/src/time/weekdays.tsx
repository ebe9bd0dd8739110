import { useCallback, useMemo } from 'react';
import { useI18n } from '../i18n/i18n';

/** ISO weekdays, 1 = Monday … 7 = Sunday, as care plans and shifts store them. */
export const ISO_WEEKDAYS = [1, 2, 3, 4, 5, 6, 7] as const;

/** 1 = Monday … 7 = Sunday as the locale writes it (周一 / Mon); 2024-01-01 was a Monday. */
export function useWeekdayName(): (day: number) => string {
  const { locale } = useI18n();
  const format = useMemo(
    () => new Intl.DateTimeFormat(locale === 'zh-CN' ? 'zh-CN' : 'en-GB', { weekday: 'short', timeZone: 'UTC' }),
    [locale],
  );
  return useCallback((day: number) => format.format(new Date(Date.UTC(2024, 0, day))), [format]);
}

/** A checkbox per weekday; the choice kept in weekday order. */
export function WeekdayChecks({
  value,
  onChange,
  testIdPrefix,
}: {
  value: readonly number[];
  onChange: (days: number[]) => void;
  testIdPrefix?: string;
}) {
  const weekdayName = useWeekdayName();
  return (
    <>
      {ISO_WEEKDAYS.map((day) => (
        <label key={day} className="check">
          <input
            type="checkbox"
            checked={value.includes(day)}
            data-testid={testIdPrefix ? `${testIdPrefix}${day}` : undefined}
            onChange={(e) =>
              onChange(e.target.checked ? [...value, day].sort((a, b) => a - b) : value.filter((d) => d !== day))
            }
          />{' '}
          {weekdayName(day)}
        </label>
      ))}
    </>
  );
}

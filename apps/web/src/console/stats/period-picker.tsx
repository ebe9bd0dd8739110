import { useState } from 'react';
import { useI18n } from '../../i18n/i18n';
import { useDirectory } from '../registry/directory';
import { useTimeZone } from '../../time/time-zone';
import { type PeriodPreset, presetPeriod } from '@anxin/contract';

export interface Period {
  preset: PeriodPreset;
  from: Date;
  to: Date;
}

const PRESETS: PeriodPreset[] = ['thisMonth', 'lastMonth', 'thisQuarter', 'lastQuarter', 'thisYear'];

/** A period in the platform's time zone (its month and quarter boundaries, not the browser's). */
export function usePeriod(initial: PeriodPreset): [Period, (p: Period) => void] {
  const timeZone = useTimeZone();
  return useState<Period>(() => ({ preset: initial, ...presetPeriod(initial, timeZone) }));
}

export function PeriodPicker({ value, onChange }: { value: Period; onChange: (p: Period) => void }) {
  const { t } = useI18n();
  const timeZone = useTimeZone();
  return (
    <label>
      {t('period.label')}
      <select
        value={value.preset}
        data-testid="period-preset"
        onChange={(e) => {
          const preset = e.target.value as PeriodPreset;
          onChange({ preset, ...presetPeriod(preset, timeZone) });
        }}
      >
        {PRESETS.map((p) => (
          <option key={p} value={p}>
            {t(`period.${p}`)}
          </option>
        ))}
      </select>
    </label>
  );
}

/** An org unit in the caller's scope, or all of it (''). */
export function UnitPicker({
  value,
  onChange,
  testId,
}: {
  value: string;
  onChange: (id: string) => void;
  testId: string;
}) {
  const { t } = useI18n();
  const directory = useDirectory();
  return (
    <label>
      {t('history.unit')}
      <select value={value} onChange={(e) => onChange(e.target.value)} data-testid={testId}>
        <option value="">{t('history.all')}</option>
        {directory.orgUnits.map((u) => (
          <option key={u.id} value={u.id}>
            {u.name}
          </option>
        ))}
      </select>
    </label>
  );
}

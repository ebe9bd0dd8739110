import { CAREGIVER_SKILLS, type CaregiverSkill } from '@anxin/contract';
import { useI18n } from '../../i18n/i18n';
import { WeekdayChecks } from '../../time/weekdays';

/** A caregiver's shift as the form edits it: empty start and end = any time (issue 16). */
export interface ShiftForm {
  shiftStart: string;
  shiftEnd: string;
  shiftWeekdays: number[];
}

export const NO_SHIFT: ShiftForm = { shiftStart: '', shiftEnd: '', shiftWeekdays: [] };

/** The API's shift fields for a form: both times, or none (null clears the shift). */
export function shiftBody(form: ShiftForm) {
  if (!form.shiftStart || !form.shiftEnd) return { shiftStart: null, shiftEnd: null };
  return { shiftStart: form.shiftStart, shiftEnd: form.shiftEnd, shiftWeekdays: form.shiftWeekdays };
}

/** Skills are the fixed service kinds (the API refuses anything else), so they are picked, not typed. */
export function SkillPicker({
  value,
  onChange,
  testId = 'user-skills',
}: {
  value: CaregiverSkill[];
  onChange: (skills: CaregiverSkill[]) => void;
  testId?: string;
}) {
  const { t } = useI18n();
  return (
    <fieldset className="field skill-picker" data-testid={testId}>
      <legend>{t('users.skills')}</legend>
      {CAREGIVER_SKILLS.map((skill) => (
        <label key={skill} className="check">
          <input
            type="checkbox"
            value={skill}
            checked={value.includes(skill)}
            data-testid={`user-skill-${skill}`}
            onChange={(e) => onChange(e.target.checked ? [...value, skill] : value.filter((s) => s !== skill))}
          />{' '}
          {t(`skill.${skill}`)}
        </label>
      ))}
    </fieldset>
  );
}

/** Shift hours and the days a shift starts on; dispatch offers orders only within them. */
export function ShiftFields({ value, onChange }: { value: ShiftForm; onChange: (shift: ShiftForm) => void }) {
  const { t } = useI18n();
  return (
    <fieldset className="field" data-testid="user-shift">
      <legend>{t('shift.title')}</legend>
      <div className="form-grid">
        <label className="field">
          <span>{t('shift.start')}</span>
          <input
            type="time"
            value={value.shiftStart}
            required={value.shiftEnd !== ''}
            onChange={(e) => onChange({ ...value, shiftStart: e.target.value })}
            data-testid="user-shift-start"
          />
        </label>
        <label className="field">
          <span>{t('shift.end')}</span>
          <input
            type="time"
            value={value.shiftEnd}
            required={value.shiftStart !== ''}
            onChange={(e) => onChange({ ...value, shiftEnd: e.target.value })}
            data-testid="user-shift-end"
          />
        </label>
      </div>
      <div className="chips">
        <WeekdayChecks
          value={value.shiftWeekdays}
          onChange={(shiftWeekdays) => onChange({ ...value, shiftWeekdays })}
        />
      </div>
      <p className="muted small">{t('shift.hint')}</p>
    </fieldset>
  );
}

import { useState, type FormEvent } from 'react';
import { CARE_PLAN_KINDS, type CarePlanKind, type CarePlanView } from '@anxin/contract';
import { useI18n } from '../../i18n/i18n';
import { useSignedIn } from '../../session/session';
import { ErrorLine } from '../../ui/dialog';
import { errorText } from '../../session/api-errors';
import { useDirectory } from '../registry/directory';
import { WeekdayChecks } from '../../time/weekdays';

/** Creates a plan, or edits `plan` (its resident stays: a plan belongs to one resident). */
export function CarePlanForm({
  plan,
  onSaved,
  onCancel,
}: {
  plan: CarePlanView | null;
  onSaved: (plan: CarePlanView) => void;
  onCancel: () => void;
}) {
  const { t } = useI18n();
  const { api } = useSignedIn();
  const directory = useDirectory();
  const [residentId, setResidentId] = useState(plan?.residentId ?? '');
  const [kind, setKind] = useState<CarePlanKind>(plan?.kind ?? 'meal');
  const [weekdays, setWeekdays] = useState<number[]>(plan?.weekdays ?? []);
  const [timeOfDay, setTimeOfDay] = useState(plan?.timeOfDay ?? '');
  const [notes, setNotes] = useState(plan?.notes ?? '');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const residents = [...directory.residents.values()].sort((a, b) => a.name.localeCompare(b.name, 'zh-CN'));

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (weekdays.length === 0) return setError(t('carePlans.pickDays'));
    setError(null);
    setBusy(true);
    const fields = { kind, weekdays, timeOfDay, notes: notes.trim() || null };
    const saved = plan
      ? api.patch<CarePlanView>(`/care-plans/${plan.id}`, fields)
      : api.post<CarePlanView>('/care-plans', { residentId, ...fields });
    saved
      .then(onSaved)
      .catch((e: unknown) => setError(errorText(e, t)))
      .finally(() => setBusy(false));
  };

  return (
    <form className="stack pad" onSubmit={submit} data-testid="care-plan-form">
      <label className="field">
        <span>{t('carePlans.resident')} *</span>
        {plan ? (
          <input value={plan.residentName} disabled />
        ) : (
          <select
            required
            value={residentId}
            onChange={(e) => setResidentId(e.target.value)}
            data-testid="care-plan-resident"
          >
            <option value="">{t('carePlans.pickResident')}</option>
            {residents.map((r) => (
              <option key={r.id} value={r.id}>
                {r.name} · {directory.orgUnitName(r.orgUnitId)}
              </option>
            ))}
          </select>
        )}
      </label>
      <label className="field">
        <span>{t('carePlans.kind')} *</span>
        <select value={kind} onChange={(e) => setKind(e.target.value as CarePlanKind)} data-testid="care-plan-kind">
          {CARE_PLAN_KINDS.map((k) => (
            <option key={k} value={k}>
              {t(`orderKind.${k}`)}
            </option>
          ))}
        </select>
      </label>
      <fieldset className="field weekday-picker" data-testid="care-plan-weekdays">
        <legend>{t('carePlans.weekdays')} *</legend>
        <WeekdayChecks value={weekdays} onChange={setWeekdays} testIdPrefix="care-plan-weekday-" />
      </fieldset>
      <label className="field">
        <span>{t('carePlans.time')} *</span>
        <input
          type="time"
          required
          value={timeOfDay}
          onChange={(e) => setTimeOfDay(e.target.value)}
          data-testid="care-plan-time"
        />
      </label>
      <label className="field">
        <span>{t('carePlans.notes')}</span>
        <textarea rows={2} maxLength={2000} value={notes} onChange={(e) => setNotes(e.target.value)} />
      </label>
      <ErrorLine error={error} />
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={busy} data-testid="care-plan-save">
          {plan ? t('common.save') : t('carePlans.create')}
        </button>
        {plan && (
          <button type="button" className="btn" onClick={onCancel}>
            {t('common.cancel')}
          </button>
        )}
      </div>
    </form>
  );
}

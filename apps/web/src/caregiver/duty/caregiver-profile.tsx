import { useCallback, useEffect, useState } from 'react';
import { useI18n } from '../../i18n/i18n';
import { errorText } from '../../session/api-errors';
import { useSignedIn } from '../../session/session';
import { shiftText } from '../../time/shift-hours';
import { useWeekdayName } from '../../time/weekdays';

/** What the caregiver's own `GET /users/:id` tells the app (issue 16): its name, duty and shift. */
export interface CaregiverProfile {
  username: string;
  displayName: string | null;
  onDuty: boolean;
  shiftStart: string | null;
  shiftEnd: string | null;
  shiftWeekdays: number[];
}

/** The profile as the server has it, and going on or off duty (`PATCH /caregivers/me`). */
export function useCaregiverProfile() {
  const { api, session } = useSignedIn();
  const [profile, setProfile] = useState<CaregiverProfile | null>(null);
  useEffect(() => {
    let live = true;
    api
      .get<CaregiverProfile>(`/users/${session.user.id}`)
      .then((p) => live && setProfile(p))
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [api, session.user.id]);
  const setOnDuty = useCallback(
    async (onDuty: boolean) => {
      await api.patch('/caregivers/me', { onDuty });
      setProfile((p) => p && { ...p, onDuty });
    },
    [api],
  );
  return { profile, setOnDuty };
}

/** The on/off duty switch under the header, with the shift hours; it shows the server's state once loaded. */
export function DutyBar({
  profile,
  setOnDuty,
}: {
  profile: CaregiverProfile | null;
  setOnDuty: (onDuty: boolean) => Promise<void>;
}) {
  const { t } = useI18n();
  const weekdayName = useWeekdayName();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  if (!profile) return null;
  const toggle = () => {
    setBusy(true);
    setError(null);
    setOnDuty(!profile.onDuty)
      .catch((e: unknown) => setError(errorText(e, t)))
      .finally(() => setBusy(false));
  };
  return (
    <section
      className={`cg-duty ${profile.onDuty ? 'is-on' : 'is-off'}`}
      aria-label={t('duty.label')}
      data-testid="duty-bar"
      data-on-duty={profile.onDuty}
    >
      <div className="cg-duty-state">
        <b data-testid="duty-state">{profile.onDuty ? t('users.onDuty') : t('users.offDuty')}</b>
        <span className="muted small">
          {profile.onDuty ? t('duty.shift', { shift: shiftText(t, weekdayName, profile) }) : t('duty.offHint')}
        </span>
      </div>
      <button
        type="button"
        className={`btn btn-sm ${profile.onDuty ? '' : 'btn-primary'}`}
        aria-pressed={profile.onDuty}
        disabled={busy}
        onClick={toggle}
        data-testid="duty-toggle"
      >
        {profile.onDuty ? t('duty.goOff') : t('duty.goOn')}
      </button>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}

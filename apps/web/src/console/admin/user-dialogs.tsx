import { useState, type FormEvent } from 'react';
import type { CaregiverSkill } from '@anxin/contract';
import { useI18n } from '../../i18n/i18n';
import { useSignedIn } from '../../session/session';
import { Dialog, ErrorLine } from '../../ui/dialog';
import { errorText } from '../../session/api-errors';
import { useDirectory } from '../registry/directory';
import type { UserView } from '../registry/registry-types';
import { NO_SHIFT, shiftBody, ShiftFields, SkillPicker } from './user-fields';

/** One call at a time, with its error; `then` runs after success. */
function useSave(then: () => void) {
  const { t } = useI18n();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const save = (call: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    call()
      .then(then)
      .catch((e: unknown) => setError(errorText(e, t)))
      .finally(() => setBusy(false));
  };
  return { busy, error, save };
}

interface UserDialogProps {
  user: UserView;
  onClose: () => void;
  onSaved: () => void;
}

/** Edit a user: display name, unit; for caregivers skills and shift hours too. */
export function EditUserDialog({ user, onClose, onSaved }: UserDialogProps) {
  const { t } = useI18n();
  const { api } = useSignedIn();
  const directory = useDirectory();
  const caregiver = user.role === 'caregiver';
  const [displayName, setDisplayName] = useState(user.displayName ?? '');
  const [orgUnitId, setOrgUnitId] = useState(user.orgUnitId);
  const [skills, setSkills] = useState(user.skills as CaregiverSkill[]);
  const [shift, setShift] = useState(
    user.shiftStart && user.shiftEnd
      ? { shiftStart: user.shiftStart, shiftEnd: user.shiftEnd, shiftWeekdays: user.shiftWeekdays ?? [] }
      : NO_SHIFT,
  );
  const { busy, error, save } = useSave(() => {
    onSaved();
    onClose();
  });
  // A unit outside the caller's scope is not in its directory: the user's unit is then kept as it is.
  const movable = directory.orgUnits.some((u) => u.id === user.orgUnitId);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    save(() =>
      api.patch(`/users/${user.id}`, {
        displayName: displayName.trim() || null,
        ...(movable && orgUnitId !== user.orgUnitId ? { orgUnitId } : {}),
        ...(caregiver ? { skills, ...shiftBody(shift) } : {}),
      }),
    );
  };
  return (
    <Dialog title={t('users.editTitle', { name: user.username })} onClose={onClose} testId="user-edit-dialog">
      <form className="stack" onSubmit={submit}>
        <label className="field">
          <span>{t('users.displayName')}</span>
          <input
            maxLength={100}
            value={displayName}
            onChange={(e) => setDisplayName(e.target.value)}
            data-testid="user-edit-display-name"
          />
        </label>
        {movable && (
          <label className="field">
            <span>{t('resident.orgUnit')}</span>
            <select value={orgUnitId} onChange={(e) => setOrgUnitId(e.target.value)} data-testid="user-edit-org-unit">
              {directory.orgUnitChoices(user.orgUnitId).map((u) => (
                <option key={u.id} value={u.id}>
                  {u.name} · {t(`orgKind.${u.kind}`)}
                </option>
              ))}
            </select>
          </label>
        )}
        {movable && orgUnitId !== user.orgUnitId && <p className="muted small">{t('users.sessionsEnd')}</p>}
        {caregiver && <SkillPicker value={skills} onChange={setSkills} testId="user-edit-skills" />}
        {caregiver && <ShiftFields value={shift} onChange={setShift} />}
        <ErrorLine error={error} />
        <div className="actions-row">
          <button type="button" className="btn" onClick={onClose}>
            {t('common.cancel')}
          </button>
          <button type="submit" className="btn btn-primary" disabled={busy} data-testid="user-edit-save">
            {t('common.save')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

/** An admin (or a caregiver's operator) sets a new password; every session of the user ends at once. */
export function ResetPasswordDialog({ user, onClose, onSaved }: UserDialogProps) {
  const { t } = useI18n();
  const { api } = useSignedIn();
  const [password, setPassword] = useState('');
  const [done, setDone] = useState(false);
  const { busy, error, save } = useSave(() => {
    setDone(true);
    onSaved();
  });
  return (
    <Dialog title={t('users.resetTitle', { name: user.username })} onClose={onClose} testId="user-reset-dialog">
      {done ? (
        <div className="stack">
          <p role="status" data-testid="user-reset-done">
            {t('users.resetDone')}
          </p>
          <div className="actions-row">
            <button type="button" className="btn btn-primary" onClick={onClose}>
              {t('common.close')}
            </button>
          </div>
        </div>
      ) : (
        <form
          className="stack"
          onSubmit={(e) => {
            e.preventDefault();
            save(() => api.patch(`/users/${user.id}`, { password }));
          }}
        >
          <label className="field">
            <span>{t('users.newPassword')}</span>
            <input
              required
              type="password"
              minLength={8}
              autoComplete="new-password"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              data-testid="user-reset-password"
            />
          </label>
          <p className="muted small">{t('users.sessionsEnd')}</p>
          <ErrorLine error={error} />
          <div className="actions-row">
            <button type="button" className="btn" onClick={onClose}>
              {t('common.cancel')}
            </button>
            <button type="submit" className="btn btn-danger" disabled={busy} data-testid="user-reset-save">
              {t('users.resetPassword')}
            </button>
          </div>
        </form>
      )}
    </Dialog>
  );
}

import { useEffect, useState, type FormEvent } from 'react';
import { CAREGIVER_SKILLS, type CaregiverSkill, ROLES, type Role } from '@anxin/contract';
import { useI18n } from '../../i18n/i18n';
import { useSignedIn } from '../../session/session';
import { shiftText } from '../../time/shift-hours';
import { useWeekdayName } from '../../time/weekdays';
import { ErrorLine } from '../../ui/dialog';
import { errorText } from '../../session/api-errors';
import { useDirectory } from '../registry/directory';
import type { UserView } from '../registry/registry-types';
import { EditUserDialog, ResetPasswordDialog } from './user-dialogs';
import { NO_SHIFT, shiftBody, ShiftFields, SkillPicker } from './user-fields';
import { ExportButton } from '../list-export';

/** Users in scope; admins create any role, operators create caregivers (the platform enforces it too). */
export function UsersPage() {
  const { t } = useI18n();
  const weekdayName = useWeekdayName();
  const { api, session } = useSignedIn();
  const directory = useDirectory();
  const isAdmin = session.user.role === 'admin';
  const roles: readonly Role[] = isAdmin ? ROLES : ['caregiver'];
  const [users, setUsers] = useState<UserView[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [generation, setGeneration] = useState(0);
  const [dialog, setDialog] = useState<{ kind: 'edit' | 'reset'; user: UserView } | null>(null);
  const [form, setForm] = useState({
    username: '',
    password: '',
    displayName: '',
    role: roles[roles.length - 1]!,
    orgUnitId: '',
    skills: [] as CaregiverSkill[],
    shift: NO_SHIFT,
  });

  useEffect(() => {
    api
      .list<UserView>('/users')
      .then((r) => setUsers(r.items))
      .catch((e: unknown) => setError(errorText(e, t)));
  }, [api, generation, t]);

  const refresh = () => {
    setGeneration((g) => g + 1);
    directory.reload();
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    const caregiver = form.role === 'caregiver';
    const skills = caregiver ? form.skills : [];
    api
      .post('/users', {
        username: form.username.trim(),
        password: form.password,
        role: form.role,
        orgUnitId: form.orgUnitId || directory.orgUnitChoices()[0]?.id,
        ...(form.displayName.trim() ? { displayName: form.displayName.trim() } : {}),
        ...(skills.length ? { skills } : {}),
        ...(caregiver && form.shift.shiftStart ? shiftBody(form.shift) : {}),
      })
      .then(() => {
        setForm((f) => ({ ...f, username: '', password: '', displayName: '', skills: [], shift: NO_SHIFT }));
        refresh();
      })
      .catch((e: unknown) => setError(errorText(e, t)));
  };

  // Operators manage caregivers; admins everyone (the platform enforces it too).
  const manageable = (u: UserView) => isAdmin || u.role === 'caregiver';

  const patch = (u: UserView, body: Partial<Pick<UserView, 'onDuty' | 'disabled'>>) =>
    api
      .patch(`/users/${u.id}`, body)
      .then(refresh)
      .catch((e: unknown) => setError(errorText(e, t)));

  return (
    <div className="split split-wide-left">
      <section className="panel list-panel" data-testid="users-page">
        <header className="panel-head">
          <h2>{t('users.title')}</h2>
          <span className="muted">{t('common.total', { n: users.length })}</span>
          <span className="grow" />
          <ExportButton path="/users" fallbackName="users" />
        </header>
        <div className="table-wrap">
          <table className="grid">
            <thead>
              <tr>
                <th>{t('users.username')}</th>
                <th>{t('users.displayName')}</th>
                <th>{t('users.role')}</th>
                <th>{t('resident.orgUnit')}</th>
                <th>{t('users.skills')}</th>
                <th>{t('shift.title')}</th>
                <th>{t('users.state')}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {users.map((u) => (
                <tr key={u.id} data-testid="user-row" data-username={u.username}>
                  <td className="strong mono">{u.username}</td>
                  <td>{u.displayName ?? '—'}</td>
                  <td>
                    <span className={`tag role-${u.role}`}>{t(`role.${u.role}`)}</span>
                  </td>
                  <td>{directory.orgUnitName(u.orgUnitId)}</td>
                  <td className="ellipsis">
                    {u.skills
                      .map((s) =>
                        (CAREGIVER_SKILLS as readonly string[]).includes(s) ? t(`skill.${s as CaregiverSkill}`) : s,
                      )
                      .join('、') || '—'}
                  </td>
                  <td className="nowrap" data-testid="user-shift-text">
                    {u.role === 'caregiver' ? shiftText(t, weekdayName, u) : '—'}
                  </td>
                  <td data-testid="user-state">
                    {u.disabled ? (
                      <span className="tag tag-warn">{t('users.disabled')}</span>
                    ) : u.role === 'caregiver' ? (
                      <span className={`tag ${u.onDuty ? 'tag-ok' : ''}`}>
                        {u.onDuty ? t('users.onDuty') : t('users.offDuty')}
                      </span>
                    ) : (
                      <span className="tag tag-ok">{t('users.active')}</span>
                    )}
                  </td>
                  <td className="row-actions">
                    {manageable(u) && (
                      <button
                        type="button"
                        className="btn btn-sm"
                        onClick={() => setDialog({ kind: 'edit', user: u })}
                        data-testid="user-edit"
                      >
                        {t('users.edit')}
                      </button>
                    )}
                    {manageable(u) && u.id !== session.user.id && (
                      <button
                        type="button"
                        className="btn btn-sm"
                        onClick={() => setDialog({ kind: 'reset', user: u })}
                        data-testid="user-reset"
                      >
                        {t('users.resetPassword')}
                      </button>
                    )}
                    {u.role === 'caregiver' && !u.disabled && (
                      <button type="button" className="btn btn-sm" onClick={() => void patch(u, { onDuty: !u.onDuty })}>
                        {u.onDuty ? t('users.setOffDuty') : t('users.setOnDuty')}
                      </button>
                    )}
                    {u.id !== session.user.id && manageable(u) && (
                      <button
                        type="button"
                        className="btn btn-sm"
                        onClick={() => void patch(u, { disabled: !u.disabled })}
                      >
                        {u.disabled ? t('users.enable') : t('users.disable')}
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
      <section className="panel detail">
        <header className="panel-head">
          <h2>{t('users.create')}</h2>
        </header>
        <form className="stack pad" onSubmit={submit} data-testid="user-form">
          <label className="field">
            <span>{t('users.username')} *</span>
            <input
              required
              pattern="[A-Za-z0-9._@\-]{3,64}"
              value={form.username}
              onChange={(e) => setForm({ ...form, username: e.target.value })}
              data-testid="user-username"
            />
          </label>
          <label className="field">
            <span>{t('users.password')} *</span>
            <input
              required
              type="password"
              minLength={8}
              autoComplete="new-password"
              value={form.password}
              onChange={(e) => setForm({ ...form, password: e.target.value })}
              data-testid="user-password"
            />
          </label>
          <label className="field">
            <span>{t('users.displayName')}</span>
            <input
              maxLength={100}
              value={form.displayName}
              onChange={(e) => setForm({ ...form, displayName: e.target.value })}
            />
          </label>
          <label className="field">
            <span>{t('users.role')}</span>
            <select
              value={form.role}
              onChange={(e) => setForm({ ...form, role: e.target.value as Role })}
              data-testid="user-role"
            >
              {roles.map((r) => (
                <option key={r} value={r}>
                  {t(`role.${r}`)}
                </option>
              ))}
            </select>
          </label>
          <label className="field">
            <span>{t('resident.orgUnit')}</span>
            <select
              value={form.orgUnitId || directory.orgUnitChoices()[0]?.id || ''}
              onChange={(e) => setForm({ ...form, orgUnitId: e.target.value })}
              data-testid="user-org-unit"
            >
              {directory.orgUnitChoices().map((u) => (
                <option key={u.id} value={u.id}>
                  {u.name} · {t(`orgKind.${u.kind}`)}
                </option>
              ))}
            </select>
          </label>
          {form.role === 'caregiver' && (
            <SkillPicker value={form.skills} onChange={(skills) => setForm({ ...form, skills })} />
          )}
          {form.role === 'caregiver' && (
            <ShiftFields value={form.shift} onChange={(shift) => setForm({ ...form, shift })} />
          )}
          <ErrorLine error={error} />
          <button type="submit" className="btn btn-primary" data-testid="user-save">
            {t('users.create')}
          </button>
        </form>
      </section>
      {dialog?.kind === 'edit' && (
        <EditUserDialog user={dialog.user} onClose={() => setDialog(null)} onSaved={refresh} />
      )}
      {dialog?.kind === 'reset' && (
        <ResetPasswordDialog user={dialog.user} onClose={() => setDialog(null)} onSaved={refresh} />
      )}
    </div>
  );
}

import { useEffect, useState, type FormEvent } from 'react';
import { CAREGIVER_SKILLS, type CaregiverSkill, ROLES, type Role } from '@anxin/contract';
import { useI18n } from '../../i18n/i18n';
import { useSignedIn } from '../../session/session';
import { ErrorLine } from '../../ui/dialog';
import { errorText } from '../alerts/alert-actions';
import { useDirectory } from '../registry/directory';
import type { UserView } from '../registry/registry-types';

/** Users in scope; admins create any role, operators create caregivers (the platform enforces it too). */
export function UsersPage() {
  const { t } = useI18n();
  const { api, session } = useSignedIn();
  const directory = useDirectory();
  const isAdmin = session.user.role === 'admin';
  const roles: readonly Role[] = isAdmin ? ROLES : ['caregiver'];
  const [users, setUsers] = useState<UserView[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [generation, setGeneration] = useState(0);
  const [form, setForm] = useState({
    username: '',
    password: '',
    displayName: '',
    role: roles[roles.length - 1]!,
    orgUnitId: '',
    skills: [] as CaregiverSkill[],
  });

  useEffect(() => {
    api
      .list<UserView>('/users')
      .then((r) => setUsers(r.items))
      .catch((e: unknown) => setError(errorText(e, t('error.network'))));
  }, [api, generation, t]);

  const refresh = () => {
    setGeneration((g) => g + 1);
    directory.reload();
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    const skills = form.role === 'caregiver' ? form.skills : [];
    api
      .post('/users', {
        username: form.username.trim(),
        password: form.password,
        role: form.role,
        orgUnitId: form.orgUnitId || directory.orgUnits[0]?.id,
        ...(form.displayName.trim() ? { displayName: form.displayName.trim() } : {}),
        ...(skills.length ? { skills } : {}),
      })
      .then(() => {
        setForm((f) => ({ ...f, username: '', password: '', displayName: '', skills: [] }));
        refresh();
      })
      .catch((e: unknown) => setError(errorText(e, t('error.network'))));
  };

  const patch = (u: UserView, body: Partial<Pick<UserView, 'onDuty' | 'disabled'>>) =>
    api
      .patch(`/users/${u.id}`, body)
      .then(refresh)
      .catch((e: unknown) => setError(errorText(e, t('error.network'))));

  return (
    <div className="split split-wide-left">
      <section className="panel list-panel" data-testid="users-page">
        <header className="panel-head">
          <h2>{t('users.title')}</h2>
          <span className="muted">{t('common.total', { n: users.length })}</span>
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
                <th>{t('users.state')}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {users.map((u) => (
                <tr key={u.id} data-testid="user-row">
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
                  <td>
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
                    {u.role === 'caregiver' && !u.disabled && (
                      <button type="button" className="btn btn-sm" onClick={() => void patch(u, { onDuty: !u.onDuty })}>
                        {u.onDuty ? t('users.setOffDuty') : t('users.setOnDuty')}
                      </button>
                    )}
                    {u.id !== session.user.id && (isAdmin || u.role === 'caregiver') && (
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
              value={form.orgUnitId || directory.orgUnits[0]?.id || ''}
              onChange={(e) => setForm({ ...form, orgUnitId: e.target.value })}
              data-testid="user-org-unit"
            >
              {directory.orgUnits.map((u) => (
                <option key={u.id} value={u.id}>
                  {u.name} · {t(`orgKind.${u.kind}`)}
                </option>
              ))}
            </select>
          </label>
          {form.role === 'caregiver' && (
            // Skills are the fixed service kinds (the API refuses anything else), so they are picked, not typed.
            <fieldset className="field skill-picker" data-testid="user-skills">
              <legend>{t('users.skills')}</legend>
              {CAREGIVER_SKILLS.map((skill) => (
                <label key={skill} className="check">
                  <input
                    type="checkbox"
                    value={skill}
                    checked={form.skills.includes(skill)}
                    data-testid={`user-skill-${skill}`}
                    onChange={(e) =>
                      setForm({
                        ...form,
                        skills: e.target.checked ? [...form.skills, skill] : form.skills.filter((s) => s !== skill),
                      })
                    }
                  />{' '}
                  {t(`skill.${skill}`)}
                </label>
              ))}
            </fieldset>
          )}
          <ErrorLine error={error} />
          <button type="submit" className="btn btn-primary" data-testid="user-save">
            {t('users.create')}
          </button>
        </form>
      </section>
    </div>
  );
}

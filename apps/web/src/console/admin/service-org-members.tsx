import { useEffect, useState, type FormEvent } from 'react';
import { CAREGIVER_SKILLS, type CaregiverSkill } from '@anxin/contract';
import { useI18n } from '../../i18n/i18n';
import { useSignedIn } from '../../session/session';
import { ErrorLine } from '../../ui/dialog';
import { errorText } from '../../session/api-errors';
import { useDirectory } from '../registry/directory';
import type { Caregiver, ServiceOrg, ServiceOrgMember } from './service-org-types';

/**
 * An organisation's caregivers. Enlisting and removing are a caregiver's `serviceOrgId` (PATCH /users/:id),
 * offered only when the caller may manage the organisation (`canManage`).
 */
export function ServiceOrgMembers({
  org,
  canManage,
  onChanged,
}: {
  org: ServiceOrg;
  canManage: boolean;
  onChanged: () => void;
}) {
  const { t } = useI18n();
  const { api } = useSignedIn();
  const directory = useDirectory();
  const [members, setMembers] = useState<ServiceOrgMember[] | null>(null);
  const [caregivers, setCaregivers] = useState<Caregiver[]>([]);
  const [pick, setPick] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [generation, setGeneration] = useState(0);

  useEffect(() => {
    const fail = (e: unknown) => setError(errorText(e, t));
    api.get<ServiceOrgMember[]>(`/service-orgs/${org.id}/members`).then(setMembers).catch(fail);
    if (canManage)
      api
        .list<Caregiver>('/users', { role: 'caregiver' })
        .then((r) => setCaregivers(r.items))
        .catch(fail);
  }, [api, org.id, canManage, generation, t]);

  // Caregivers in scope not yet in it (one in another organisation moves over).
  const candidates = caregivers.filter((c) => c.serviceOrgId !== org.id && !c.disabled);
  const name = (u: { displayName: string | null; username: string }) => u.displayName ?? u.username;

  const setServiceOrg = (userId: string, serviceOrgId: string | null) => {
    setBusy(true);
    setError(null);
    api
      .patch(`/users/${userId}`, { serviceOrgId })
      .then(() => {
        setPick('');
        setGeneration((g) => g + 1);
        onChanged();
      })
      .catch((e: unknown) => setError(errorText(e, t)))
      .finally(() => setBusy(false));
  };

  const enlist = (event: FormEvent) => {
    event.preventDefault();
    if (pick) setServiceOrg(pick, org.id);
  };

  return (
    <section data-testid="service-org-members">
      <header className="panel-head">
        <h2>
          {org.name} · {t('serviceOrgs.members')}
        </h2>
      </header>
      <div className="stack pad">
        {!canManage && (
          <p className="warn-box" data-testid="service-org-read-only">
            {t('serviceOrgs.readOnly')}
          </p>
        )}
        {members?.length === 0 && <p className="muted">{t('serviceOrgs.noMembers')}</p>}
        {members && members.length > 0 && (
          <div className="table-wrap">
            <table className="grid grid-compact">
              <thead>
                <tr>
                  <th>{t('users.displayName')}</th>
                  <th>{t('resident.orgUnit')}</th>
                  <th>{t('users.skills')}</th>
                  <th>{t('users.state')}</th>
                  {canManage && <th />}
                </tr>
              </thead>
              <tbody>
                {members.map((m) => (
                  <tr key={m.id} data-testid="service-org-member" data-user-id={m.id}>
                    <td className="strong">{name(m)}</td>
                    <td>{directory.orgUnitName(m.orgUnitId)}</td>
                    <td className="ellipsis">
                      {m.skills
                        .filter((s): s is CaregiverSkill => (CAREGIVER_SKILLS as readonly string[]).includes(s))
                        .map((s) => t(`skill.${s}`))
                        .join('、') || '—'}
                    </td>
                    <td>
                      {m.disabled ? (
                        <span className="tag tag-warn">{t('users.disabled')}</span>
                      ) : (
                        <span className={`tag ${m.onDuty ? 'tag-ok' : ''}`}>
                          {m.onDuty ? t('users.onDuty') : t('users.offDuty')}
                        </span>
                      )}
                    </td>
                    {canManage && (
                      <td className="row-actions">
                        <button
                          type="button"
                          className="btn btn-sm"
                          disabled={busy}
                          onClick={() => setServiceOrg(m.id, null)}
                          data-testid="service-org-member-remove"
                        >
                          {t('common.remove')}
                        </button>
                      </td>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {canManage && (
          <form className="inline-form" onSubmit={enlist} data-testid="service-org-enlist-form">
            <label className="field">
              <span>{t('serviceOrgs.enlistPick')}</span>
              <select value={pick} onChange={(e) => setPick(e.target.value)} data-testid="service-org-enlist-pick">
                <option value="">{candidates.length ? '—' : t('serviceOrgs.noCandidates')}</option>
                {candidates.map((c) => (
                  <option key={c.id} value={c.id}>
                    {name(c)} · {directory.orgUnitName(c.orgUnitId)}
                    {c.serviceOrgId ? t('serviceOrgs.inOtherOrg') : ''}
                  </option>
                ))}
              </select>
            </label>
            <button type="submit" className="btn btn-primary" disabled={busy || !pick} data-testid="service-org-enlist">
              {t('serviceOrgs.enlist')}
            </button>
          </form>
        )}
        <ErrorLine error={error} />
      </div>
    </section>
  );
}

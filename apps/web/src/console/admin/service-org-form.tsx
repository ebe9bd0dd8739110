import { useState, type FormEvent } from 'react';
import { SERVICE_ORG_KINDS, type ServiceOrgKind } from '@anxin/contract';
import { useI18n } from '../../i18n/i18n';
import { useSignedIn } from '../../session/session';
import { ErrorLine } from '../../ui/dialog';
import { errorText } from '../../session/api-errors';
import { useDirectory } from '../registry/directory';
import type { ServiceOrg } from './service-org-types';

/** Admins: a new organisation (`org` null) or an existing one — name, kind and the units it serves. */
export function ServiceOrgForm({ org, onSaved }: { org: ServiceOrg | null; onSaved: (org: ServiceOrg) => void }) {
  const { t } = useI18n();
  const { api } = useSignedIn();
  const directory = useDirectory();
  const [name, setName] = useState(org?.name ?? '');
  const [kind, setKind] = useState<ServiceOrgKind>(org?.kind ?? 'volunteer');
  const [unitIds, setUnitIds] = useState<string[]>(org?.orgUnitIds ?? []);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  // Paths sort a parent before its children, so the chips read top-down.
  const units = [...directory.orgUnits].sort((a, b) => a.path.localeCompare(b.path));

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    setSaved(false);
    if (unitIds.length === 0) return setError(t('serviceOrgs.unitsRequired'));
    const body = { name: name.trim(), kind, orgUnitIds: unitIds };
    const request = org
      ? api.patch<ServiceOrg>(`/service-orgs/${org.id}`, body)
      : api.post<ServiceOrg>('/service-orgs', body);
    request
      .then((result) => {
        setSaved(true);
        onSaved(result);
      })
      .catch((e: unknown) => setError(errorText(e, t)));
  };

  return (
    <>
      <header className="panel-head">
        <h2>{org ? t('serviceOrgs.edit') : t('serviceOrgs.create')}</h2>
      </header>
      <form className="stack pad" onSubmit={submit} data-testid="service-org-form">
        <label className="field">
          <span>{t('serviceOrgs.name')} *</span>
          <input
            required
            maxLength={100}
            value={name}
            onChange={(e) => setName(e.target.value)}
            data-testid="service-org-name"
          />
        </label>
        <label className="field">
          <span>{t('serviceOrgs.kind')}</span>
          <select
            value={kind}
            onChange={(e) => setKind(e.target.value as ServiceOrgKind)}
            data-testid="service-org-kind"
          >
            {SERVICE_ORG_KINDS.map((k) => (
              <option key={k} value={k}>
                {t(`serviceOrgKind.${k}`)}
              </option>
            ))}
          </select>
        </label>
        <fieldset className="field" data-testid="service-org-units">
          <legend>{t('serviceOrgs.units')} *</legend>
          <div className="chips">
            {units.map((u) => (
              <label key={u.id} className={`chip ${unitIds.includes(u.id) ? 'is-on' : ''}`}>
                <input
                  type="checkbox"
                  checked={unitIds.includes(u.id)}
                  data-testid="service-org-unit"
                  data-unit-id={u.id}
                  onChange={(e) =>
                    setUnitIds((prev) => (e.target.checked ? [...prev, u.id] : prev.filter((id) => id !== u.id)))
                  }
                />
                {u.name} · {t(`orgKind.${u.kind}`)}
              </label>
            ))}
          </div>
        </fieldset>
        <ErrorLine error={error} />
        {saved && (
          <p className="muted" role="status" data-testid="service-org-saved">
            {t('common.saved')}
          </p>
        )}
        <button type="submit" className="btn btn-primary" data-testid="service-org-save">
          {org ? t('common.save') : t('serviceOrgs.create')}
        </button>
      </form>
    </>
  );
}

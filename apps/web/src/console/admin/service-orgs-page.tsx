import { useEffect, useState } from 'react';
import { useI18n } from '../../i18n/i18n';
import { useSignedIn } from '../../session/session';
import { ErrorLine } from '../../ui/dialog';
import { errorText } from '../../session/api-errors';
import { useDirectory } from '../registry/directory';
import { ServiceOrgForm } from './service-org-form';
import { ServiceOrgMembers } from './service-org-members';
import type { ServiceOrg } from './service-org-types';

/**
 * 五社联动: the organisations serving the caller's units. Admins create and edit them; an operator sees those
 * serving its units and enlists or removes caregivers only where the organisation serves nothing beyond them
 * (the platform refuses the rest too).
 */
export function ServiceOrgsPage() {
  const { t } = useI18n();
  const { api, session } = useSignedIn();
  const directory = useDirectory();
  const isAdmin = session.user.role === 'admin';
  const [orgs, setOrgs] = useState<ServiceOrg[] | null>(null);
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [generation, setGeneration] = useState(0);
  const selected = orgs?.find((o) => o.id === selectedId) ?? null;
  const refresh = () => setGeneration((g) => g + 1);

  useEffect(() => {
    api
      .get<ServiceOrg[]>('/service-orgs')
      .then((list) => setOrgs(Array.isArray(list) ? list : []))
      .catch((e: unknown) => setError(errorText(e, t)));
  }, [api, generation, t]);

  return (
    <div className="split split-wide-left">
      <section className="panel list-panel" data-testid="service-orgs-page" data-loaded={orgs ? 'yes' : 'no'}>
        <header className="panel-head">
          <h2>{t('serviceOrgs.title')}</h2>
          <span className="muted">{t('common.total', { n: orgs?.length ?? 0 })}</span>
          {isAdmin && (
            <button
              type="button"
              className="btn btn-sm"
              style={{ marginLeft: 'auto' }}
              onClick={() => setSelectedId(null)}
              data-testid="service-org-new"
            >
              {t('serviceOrgs.create')}
            </button>
          )}
        </header>
        <p className="muted pad">{t('serviceOrgs.hint')}</p>
        <ErrorLine error={error} />
        <div className="table-wrap">
          <table className="grid">
            <thead>
              <tr>
                <th>{t('serviceOrgs.name')}</th>
                <th>{t('serviceOrgs.kind')}</th>
                <th>{t('serviceOrgs.units')}</th>
                <th className="num">{t('serviceOrgs.memberCount')}</th>
              </tr>
            </thead>
            <tbody>
              {orgs?.map((o) => (
                <tr
                  key={o.id}
                  className={`row ${o.id === selectedId ? 'is-selected' : ''}`}
                  tabIndex={0}
                  onClick={() => setSelectedId(o.id)}
                  onKeyDown={(e) => e.key === 'Enter' && setSelectedId(o.id)}
                  data-testid="service-org-row"
                  data-org-id={o.id}
                >
                  <td className="strong">{o.name}</td>
                  <td>
                    <span className="tag">{t(`serviceOrgKind.${o.kind}`)}</span>
                  </td>
                  <td className="ellipsis">
                    {o.orgUnitIds.map((id) => directory.orgUnitName(id)).join('、')}
                    {o.servesOutsideScope && <span className="muted"> · {t('serviceOrgs.alsoElsewhere')}</span>}
                  </td>
                  <td className="num">{o.memberCount}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {orgs?.length === 0 && <p className="empty">{t('serviceOrgs.empty')}</p>}
        </div>
      </section>
      <section className="panel detail" data-testid="service-org-detail">
        {isAdmin && (
          <ServiceOrgForm
            key={selected?.id ?? 'new'}
            org={selected}
            onSaved={(org) => {
              setSelectedId(org.id);
              refresh();
            }}
          />
        )}
        {selected ? (
          <ServiceOrgMembers
            key={selected.id}
            org={selected}
            canManage={isAdmin || !selected.servesOutsideScope}
            onChanged={refresh}
          />
        ) : (
          !isAdmin && <p className="muted pad">{t('serviceOrgs.pick')}</p>
        )}
      </section>
    </div>
  );
}

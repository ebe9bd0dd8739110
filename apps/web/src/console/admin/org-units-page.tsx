import { useState, type FormEvent } from 'react';
import { ORG_UNIT_KINDS, type OrgUnitKind } from '@anxin/contract';
import { useI18n } from '../../i18n/i18n';
import { useSignedIn } from '../../session/session';
import { useTimeFormat } from '../../time/time-format';
import { ErrorLine } from '../../ui/dialog';
import { errorText } from '../alerts/alert-actions';
import { useDirectory } from '../registry/directory';
import type { OrgUnit } from '../registry/registry-types';

/** Depth-first order, so the tree reads top-down with indentation. */
function asTree(units: OrgUnit[]): { unit: OrgUnit; depth: number }[] {
  const ids = new Set(units.map((u) => u.id));
  const children = new Map<string | null, OrgUnit[]>();
  for (const u of units) {
    const parent = u.parentId && ids.has(u.parentId) ? u.parentId : null;
    children.set(parent, [...(children.get(parent) ?? []), u]);
  }
  const out: { unit: OrgUnit; depth: number }[] = [];
  const walk = (parent: string | null, depth: number) => {
    for (const u of (children.get(parent) ?? []).sort((a, b) => a.name.localeCompare(b.name))) {
      out.push({ unit: u, depth });
      walk(u.id, depth + 1);
    }
  };
  walk(null, 0);
  return out;
}

/** Admins only: the centre → station → community tree and adding units to it. */
export function OrgUnitsPage() {
  const { t } = useI18n();
  const fmt = useTimeFormat();
  const { api } = useSignedIn();
  const directory = useDirectory();
  const [name, setName] = useState('');
  const [kind, setKind] = useState<OrgUnitKind>('station');
  const [parentId, setParentId] = useState('');
  const [error, setError] = useState<string | null>(null);
  const tree = asTree(directory.orgUnits);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    api
      .post('/org-units', { name: name.trim(), kind, parentId: parentId || null })
      .then(() => {
        setName('');
        directory.reload();
      })
      .catch((e: unknown) => setError(errorText(e, t('error.network'))));
  };

  return (
    <div className="split split-wide-left">
      <section className="panel list-panel" data-testid="org-units-page">
        <header className="panel-head">
          <h2>{t('org.title')}</h2>
          <span className="muted">{t('common.total', { n: tree.length })}</span>
        </header>
        <div className="table-wrap">
          <table className="grid">
            <thead>
              <tr>
                <th>{t('org.name')}</th>
                <th>{t('org.kind')}</th>
                <th>{t('org.created')}</th>
              </tr>
            </thead>
            <tbody>
              {tree.map(({ unit, depth }) => (
                <tr key={unit.id} data-testid="org-unit-row">
                  <td className="strong" style={{ paddingLeft: `${0.75 + depth * 1.5}rem` }}>
                    {depth > 0 && (
                      <span className="tree-branch" aria-hidden="true">
                        └{' '}
                      </span>
                    )}
                    {unit.name}
                  </td>
                  <td>
                    <span className={`tag org-${unit.kind}`}>{t(`orgKind.${unit.kind}`)}</span>
                  </td>
                  <td className="muted">{fmt.date(unit.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
      <section className="panel detail">
        <header className="panel-head">
          <h2>{t('org.create')}</h2>
        </header>
        <form className="stack pad" onSubmit={submit} data-testid="org-unit-form">
          <label className="field">
            <span>{t('org.name')} *</span>
            <input required maxLength={100} value={name} onChange={(e) => setName(e.target.value)} />
          </label>
          <label className="field">
            <span>{t('org.kind')}</span>
            <select value={kind} onChange={(e) => setKind(e.target.value as OrgUnitKind)}>
              {ORG_UNIT_KINDS.map((k) => (
                <option key={k} value={k}>
                  {t(`orgKind.${k}`)}
                </option>
              ))}
            </select>
          </label>
          <label className="field">
            <span>{t('org.parent')}</span>
            <select value={parentId} onChange={(e) => setParentId(e.target.value)}>
              <option value="">{t('org.noParent')}</option>
              {tree.map(({ unit, depth }) => (
                <option key={unit.id} value={unit.id}>
                  {'　'.repeat(depth)}
                  {unit.name}
                </option>
              ))}
            </select>
          </label>
          <ErrorLine error={error} />
          <button type="submit" className="btn btn-primary">
            {t('org.create')}
          </button>
        </form>
      </section>
    </div>
  );
}

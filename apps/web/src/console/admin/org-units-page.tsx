import { useState, type FormEvent } from 'react';
import { ORG_UNIT_KINDS, type OrgUnitKind } from '@anxin/contract';
import { useI18n } from '../../i18n/i18n';
import { useSignedIn } from '../../session/session';
import { useTimeFormat } from '../../time/time-format';
import { ErrorLine } from '../../ui/dialog';
import { errorText } from '../../session/api-errors';
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

const RANK: Record<OrgUnitKind, number> = { center: 0, station: 1, community: 2 };

/** Where `unit` may go, as the platform allows it: an active unit of a higher rank, outside its own subtree. */
function parentChoices(unit: OrgUnit, tree: { unit: OrgUnit; depth: number }[]) {
  return tree.filter(({ unit: p }) => p.active && RANK[p.kind] < RANK[unit.kind] && !p.path.startsWith(unit.path));
}

/** Rename and move (choose a new parent) one unit. */
function OrgUnitEditor({
  unit,
  tree,
  onDone,
}: {
  unit: OrgUnit;
  tree: { unit: OrgUnit; depth: number }[];
  onDone: (saved: boolean) => void;
}) {
  const { t } = useI18n();
  const { api } = useSignedIn();
  const [name, setName] = useState(unit.name);
  const [parentId, setParentId] = useState(unit.parentId ?? '');
  const [error, setError] = useState<string | null>(null);
  const parents = parentChoices(unit, tree);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    const body = {
      ...(name.trim() !== unit.name ? { name: name.trim() } : {}),
      ...((parentId || null) !== unit.parentId ? { parentId: parentId || null } : {}),
    };
    if (Object.keys(body).length === 0) return onDone(false);
    api
      .patch(`/org-units/${unit.id}`, body)
      .then(() => onDone(true))
      .catch((e: unknown) => setError(errorText(e, t)));
  };

  return (
    <form className="stack pad" onSubmit={submit} data-testid="org-unit-edit-form">
      <h3>{t('org.editTitle', { name: unit.name })}</h3>
      <label className="field">
        <span>{t('org.name')} *</span>
        <input
          required
          maxLength={100}
          value={name}
          onChange={(e) => setName(e.target.value)}
          data-testid="org-unit-edit-name"
        />
      </label>
      <label className="field">
        <span>{t('org.parent')}</span>
        <select value={parentId} onChange={(e) => setParentId(e.target.value)} data-testid="org-unit-edit-parent">
          {unit.kind === 'center' && <option value="">{t('org.noParent')}</option>}
          {parents.map(({ unit: p, depth }) => (
            <option key={p.id} value={p.id}>
              {'　'.repeat(depth)}
              {p.name}
            </option>
          ))}
        </select>
      </label>
      <p className="muted">{t('org.moveHint')}</p>
      <ErrorLine error={error} />
      <div className="row-actions">
        <button type="button" className="btn" onClick={() => onDone(false)}>
          {t('common.cancel')}
        </button>
        <button type="submit" className="btn btn-primary" data-testid="org-unit-edit-save">
          {t('common.save')}
        </button>
      </div>
    </form>
  );
}

/** Admins only: the centre → station → community tree; adding, renaming, moving and (de)activating units. */
export function OrgUnitsPage() {
  const { t } = useI18n();
  const fmt = useTimeFormat();
  const { api } = useSignedIn();
  const directory = useDirectory();
  const [name, setName] = useState('');
  const [kind, setKind] = useState<OrgUnitKind>('station');
  const [parentId, setParentId] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [editing, setEditing] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const tree = asTree(directory.orgUnits);
  const editingUnit = directory.orgUnits.find((u) => u.id === editing) ?? null;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    api
      .post('/org-units', { name: name.trim(), kind, parentId: parentId || null })
      .then(() => {
        setName('');
        directory.reload();
      })
      .catch((e: unknown) => setError(errorText(e, t)));
  };

  const setActive = (unit: OrgUnit, active: boolean) => {
    setActionError(null);
    setNotice(null);
    api
      .patch(`/org-units/${unit.id}`, { active })
      .then(() => {
        setNotice(t('common.saved'));
        directory.reload();
      })
      .catch((e: unknown) => setActionError(errorText(e, t)));
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
                <th>{t('org.state')}</th>
                <th>{t('org.created')}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {tree.map(({ unit, depth }) => (
                <tr
                  key={unit.id}
                  data-testid="org-unit-row"
                  data-name={unit.name}
                  className={unit.active ? undefined : 'row-inactive'}
                >
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
                  <td data-testid="org-unit-state">
                    {unit.active ? (
                      <span className="tag tag-ok">{t('org.active')}</span>
                    ) : (
                      <span className="tag tag-warn">{t('org.inactive')}</span>
                    )}
                  </td>
                  <td className="muted">{fmt.date(unit.createdAt)}</td>
                  <td className="row-actions">
                    <button
                      type="button"
                      className="btn btn-sm"
                      onClick={() => {
                        setNotice(null);
                        setEditing(unit.id);
                      }}
                      data-testid="org-unit-edit"
                    >
                      {t('org.edit')}
                    </button>
                    <button
                      type="button"
                      className="btn btn-sm"
                      onClick={() => setActive(unit, !unit.active)}
                      data-testid="org-unit-toggle-active"
                    >
                      {unit.active ? t('org.deactivate') : t('org.reactivate')}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <p className="muted pad">{t('org.deactivateHint')}</p>
      </section>
      <section className="panel detail">
        {editingUnit && (
          <OrgUnitEditor
            key={editingUnit.id}
            unit={editingUnit}
            tree={tree}
            onDone={(saved) => {
              setEditing(null);
              if (saved) {
                setNotice(t('common.saved'));
                directory.reload();
              }
            }}
          />
        )}
        {notice && (
          <p className="pad ok-line" data-testid="org-unit-notice">
            {notice}
          </p>
        )}
        {actionError && (
          <div className="pad" data-testid="org-unit-action-error">
            <ErrorLine error={actionError} />
          </div>
        )}
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
              {tree
                .filter(({ unit }) => unit.active)
                .map(({ unit, depth }) => (
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

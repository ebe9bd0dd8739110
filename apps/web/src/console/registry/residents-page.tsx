import { useEffect, useState } from 'react';
import { useI18n } from '../../i18n/i18n';
import { useSignedIn } from '../../session/session';
import { ageInYears } from '../../time/time-format';
import { Dialog, ErrorLine } from '../../ui/dialog';
import { errorText } from '../../session/api-errors';
import { ResidentHistory } from '../history/resident-history';
import { DEVICE_IMPORT, RESIDENT_IMPORT } from './import-kinds';
import { SpreadsheetImportDialog } from './spreadsheet-import-dialog';
import { RuleEditor } from './rule-editor';
import { useRouter } from '../console-router';
import { ExportButton } from '../list-export';
import { useDirectory } from './directory';
import { ProtectionBadge } from './protection';
import type { Resident } from './registry-types';
import { ResidentDevices } from './resident-devices';
import { ResidentForm } from './resident-form';
import { ResidentPersonalData } from './resident-personal-data';

/** Residents in scope (the platform filters by org unit) and, for the selected one, record and devices. */
export function ResidentsPage({ selectedId }: { selectedId: string | null }) {
  const { t } = useI18n();
  const { api } = useSignedIn();
  const { navigate } = useRouter();
  const directory = useDirectory();
  const [query, setQuery] = useState('');
  const [residents, setResidents] = useState<Resident[] | null>(null);
  const [total, setTotal] = useState(0);
  const [creating, setCreating] = useState(false);
  const [importing, setImporting] = useState<'residents' | 'devices' | null>(null);
  /** The resident whose record was just saved (the form remounts with the saved row, so the notice lives here). */
  const [savedId, setSavedId] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [generation, setGeneration] = useState(0);

  useEffect(() => {
    let live = true;
    const timer = window.setTimeout(() => {
      api
        .list<Resident>('/residents', { q: query.trim() || undefined })
        .then((r) => {
          if (!live) return;
          setResidents(r.items);
          setTotal(r.total);
        })
        .catch((e: unknown) => live && setError(errorText(e, t)));
    }, 200);
    return () => {
      live = false;
      window.clearTimeout(timer);
    };
  }, [api, query, generation, t]);

  const reloadAll = () => {
    setGeneration((g) => g + 1);
    directory.reload();
  };

  const selected =
    residents?.find((r) => r.id === selectedId) ?? (selectedId ? directory.residents.get(selectedId) : undefined);

  return (
    <div className="split">
      <section className="panel list-panel" data-testid="residents-page">
        <header className="panel-head">
          <h2>{t('residents.title')}</h2>
          <span className="muted">{t('common.total', { n: total })}</span>
          <span className="grow" />
          <ExportButton path="/residents" query={{ q: query.trim() }} fallbackName="residents" />
          <button
            type="button"
            className="btn btn-sm"
            onClick={() => setImporting('residents')}
            data-testid="resident-import"
          >
            {t('import.open')}
          </button>
          <button
            type="button"
            className="btn btn-sm"
            onClick={() => setImporting('devices')}
            data-testid="device-import"
          >
            {t('import.devices.open')}
          </button>
          <button
            type="button"
            className="btn btn-primary btn-sm"
            onClick={() => setCreating(true)}
            data-testid="resident-new"
          >
            + {t('resident.create')}
          </button>
        </header>
        <div className="toolbar">
          <input
            type="search"
            placeholder={t('residents.search')}
            aria-label={t('residents.search')}
            value={query}
            onChange={(e) => setQuery(e.target.value)}
            data-testid="residents-search"
          />
        </div>
        <ErrorLine error={error} />
        <div className="table-wrap">
          <table className="grid">
            <thead>
              <tr>
                <th>{t('resident.name')}</th>
                <th>{t('resident.orgUnit')}</th>
                <th className="num">{t('resident.ageCol')}</th>
                <th>{t('resident.address')}</th>
              </tr>
            </thead>
            <tbody>
              {(residents ?? []).map((r) => (
                <tr
                  key={r.id}
                  className={`row ${r.id === selectedId ? 'is-selected' : ''}`}
                  tabIndex={0}
                  data-testid="resident-row"
                  data-resident-id={r.id}
                  onClick={() => navigate(`/residents/${r.id}`)}
                  onKeyDown={(e) => e.key === 'Enter' && navigate(`/residents/${r.id}`)}
                >
                  <td className="strong">
                    {r.name}
                    <ProtectionBadge devices={r.degradedDevices ?? []} />
                  </td>
                  <td>{directory.orgUnitName(r.orgUnitId)}</td>
                  <td className="num">{ageInYears(r.birthDate) ?? '—'}</td>
                  <td className="ellipsis">{r.address ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {residents?.length === 0 && <p className="empty-line">{t('residents.empty')}</p>}
        </div>
      </section>
      {selected ? (
        <section className="panel detail" data-testid="resident-detail">
          <header className="panel-head">
            <h2>{selected.name}</h2>
            <ProtectionBadge devices={selected.degradedDevices ?? []} />
            <span className="grow" />
            <button
              type="button"
              className="btn btn-ghost btn-icon"
              onClick={() => navigate('/residents')}
              aria-label={t('common.close')}
            >
              ×
            </button>
          </header>
          <div className="detail-scroll">
            <ResidentDevices residentId={selected.id} />
            <RuleEditor key={`rules-${selected.id}`} resident={selected} onSaved={() => setGeneration((g) => g + 1)} />
            <ResidentHistory residentId={selected.id} />
            <section className="card">
              <h3>{t('resident.record')}</h3>
              <ResidentPersonalData
                resident={selected}
                onErased={(r) => {
                  directory.rememberResident(r);
                  setGeneration((g) => g + 1);
                }}
              />
              {savedId === selected.id && (
                <p className="ok-line" data-testid="resident-saved">
                  {t('common.saved')}
                </p>
              )}
              {!selected.erasedAt && (
                <ResidentForm
                  key={selected.id + selected.updatedAt}
                  resident={selected}
                  onSaved={(r) => {
                    setSavedId(r.id);
                    setGeneration((g) => g + 1);
                  }}
                />
              )}
            </section>
          </div>
        </section>
      ) : (
        <section className="panel detail placeholder">
          <p className="muted">{t('residents.pick')}</p>
        </section>
      )}
      {importing === 'residents' && (
        <SpreadsheetImportDialog kind={RESIDENT_IMPORT} onClose={() => setImporting(null)} onImported={reloadAll} />
      )}
      {importing === 'devices' && (
        <SpreadsheetImportDialog kind={DEVICE_IMPORT} onClose={() => setImporting(null)} onImported={reloadAll} />
      )}
      {creating && (
        <Dialog title={t('resident.create')} onClose={() => setCreating(false)} wide testId="resident-create-dialog">
          <ResidentForm
            onCancel={() => setCreating(false)}
            onSaved={(r) => {
              setCreating(false);
              setGeneration((g) => g + 1);
              navigate(`/residents/${r.id}`);
            }}
          />
        </Dialog>
      )}
    </div>
  );
}

import { useEffect, useMemo, useState } from 'react';
import { ALERT_KINDS, ALERT_OUTCOMES, ALERT_STATUSES, type AlertView } from '@anxin/contract';
import { useI18n } from '../../i18n/i18n';
import { useSignedIn } from '../../session/session';
import { useTimeFormat } from '../../time/time-format';
import { ErrorLine } from '../../ui/dialog';
import { AlertDetail } from '../alerts/alert-detail';
import { errorText } from '../../session/api-errors';
import { AlertStatusBadge, SeverityBadge } from '../alerts/alert-badges';
import { useRouter } from '../console-router';
import { ExportButton } from '../list-export';
import { useDirectory } from '../registry/directory';
import { PeriodPicker, type Period, UnitPicker, usePeriod } from '../stats/period-picker';

const PAGE_SIZE = 50;

interface Filters {
  orgUnitId: string;
  kind: string;
  status: string;
  outcome: string;
  residentName: string;
}

/** 告警记录 (issue 15): every alert of a period, any status, filterable, opening the live board's detail view. */
export function AlertHistoryPage({ selectedId }: { selectedId: string | null }) {
  const { t } = useI18n();
  const { api } = useSignedIn();
  const { navigate } = useRouter();
  const [period, setPeriod] = usePeriod('thisMonth');
  const [filters, setFilters] = useState<Filters>({
    orgUnitId: '',
    kind: '',
    status: '',
    outcome: '',
    residentName: '',
  });
  const [page, setPage] = useState(1);
  const [result, setResult] = useState<{ items: AlertView[]; total: number } | null>(null);
  const [error, setError] = useState<string | null>(null);
  // The filters as the list call takes them: the page shown, and its export, ask for the same rows.
  const listQuery = useMemo(
    () => ({
      from: period.from.toISOString(),
      to: period.to.toISOString(),
      orgUnitId: filters.orgUnitId,
      kind: filters.kind,
      status: filters.status,
      outcome: filters.outcome,
      residentName: filters.residentName.trim(),
    }),
    [period, filters],
  );

  useEffect(() => {
    let active = true;
    api
      .list<AlertView>('/alerts', { ...listQuery, page, pageSize: PAGE_SIZE })
      .then((r) => {
        if (!active) return;
        setResult(r);
        setError(null);
      })
      .catch((e: unknown) => active && setError(errorText(e, t)));
    return () => {
      active = false;
    };
  }, [api, listQuery, page, t]);

  const change = (patch: Partial<Filters>) => {
    setFilters((f) => ({ ...f, ...patch }));
    setPage(1);
  };
  const pages = result ? Math.max(1, Math.ceil(result.total / PAGE_SIZE)) : 1;

  return (
    <div className={`split split-board ${selectedId ? 'has-detail' : ''}`}>
      <section className="panel history" data-testid="history-page">
        <header className="panel-head">
          <h2>{t('history.title')}</h2>
          <span className="count-pill" data-testid="history-total">
            {result?.total ?? '…'}
          </span>
          <span className="grow" />
          <ExportButton path="/alerts" query={listQuery} fallbackName="alerts" />
        </header>
        <HistoryFilters
          period={period}
          onPeriod={(p) => {
            setPeriod(p);
            setPage(1);
          }}
          filters={filters}
          onChange={change}
        />
        <ErrorLine error={error} />
        {result && result.items.length === 0 ? (
          <p className="empty-line" data-testid="history-empty">
            {t('history.empty')}
          </p>
        ) : (
          <div className="table-wrap">
            <HistoryTable
              rows={result?.items ?? []}
              selectedId={selectedId}
              onOpen={(id) => navigate(`/history/${id}`)}
            />
          </div>
        )}
        <footer className="pager">
          <button type="button" className="btn btn-ghost" disabled={page <= 1} onClick={() => setPage(page - 1)}>
            {t('history.prev')}
          </button>
          <span data-testid="history-page-number">{t('history.page', { page, pages })}</span>
          <button type="button" className="btn btn-ghost" disabled={page >= pages} onClick={() => setPage(page + 1)}>
            {t('history.next')}
          </button>
        </footer>
      </section>
      {selectedId && <AlertDetail key={selectedId} id={selectedId} onClose={() => navigate('/history')} />}
    </div>
  );
}

function HistoryFilters({
  period,
  onPeriod,
  filters,
  onChange,
}: {
  period: Period;
  onPeriod: (p: Period) => void;
  filters: Filters;
  onChange: (patch: Partial<Filters>) => void;
}) {
  const { t } = useI18n();
  return (
    <div className="filters" data-testid="history-filters">
      <PeriodPicker value={period} onChange={onPeriod} />
      <UnitPicker value={filters.orgUnitId} onChange={(orgUnitId) => onChange({ orgUnitId })} testId="history-unit" />
      <label>
        {t('alerts.col.kind')}
        <select value={filters.kind} onChange={(e) => onChange({ kind: e.target.value })} data-testid="history-kind">
          <option value="">{t('history.all')}</option>
          {ALERT_KINDS.map((k) => (
            <option key={k} value={k}>
              {t(`alertKind.${k}`)}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t('alerts.col.status')}
        <select
          value={filters.status}
          onChange={(e) => onChange({ status: e.target.value })}
          data-testid="history-status"
        >
          <option value="">{t('history.all')}</option>
          {ALERT_STATUSES.map((s) => (
            <option key={s} value={s}>
              {t(`alertStatus.${s}`)}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t('history.col.outcome')}
        <select
          value={filters.outcome}
          onChange={(e) => onChange({ outcome: e.target.value })}
          data-testid="history-outcome"
        >
          <option value="">{t('history.all')}</option>
          {ALERT_OUTCOMES.map((o) => (
            <option key={o} value={o}>
              {t(`outcome.${o}`)}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t('history.residentName')}
        <input
          type="search"
          value={filters.residentName}
          onChange={(e) => onChange({ residentName: e.target.value })}
          placeholder={t('history.residentNameHint')}
          data-testid="history-resident"
        />
      </label>
    </div>
  );
}

function HistoryTable({
  rows,
  selectedId,
  onOpen,
}: {
  rows: AlertView[];
  selectedId: string | null;
  onOpen: (id: string) => void;
}) {
  const { t } = useI18n();
  const fmt = useTimeFormat();
  const directory = useDirectory();
  const ackSeconds = (a: AlertView) =>
    a.acknowledgedAt ? Math.round((Date.parse(a.acknowledgedAt) - Date.parse(a.openedAt)) / 1000) : null;
  return (
    <table className="grid alert-table">
      <thead>
        <tr>
          <th scope="col">{t('history.col.opened')}</th>
          <th scope="col">{t('alerts.col.severity')}</th>
          <th scope="col">{t('alerts.col.kind')}</th>
          <th scope="col">{t('alerts.col.resident')}</th>
          <th scope="col">{t('history.unit')}</th>
          <th scope="col">{t('alerts.col.status')}</th>
          <th scope="col" className="num">
            {t('history.col.ack')}
          </th>
          <th scope="col">{t('history.col.outcome')}</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((a) => {
          const ack = ackSeconds(a);
          return (
            <tr
              key={a.id}
              className={`row ${a.id === selectedId ? 'is-selected' : ''}`}
              data-testid="history-row"
              data-alert-id={a.id}
              data-kind={a.kind}
              tabIndex={0}
              onClick={() => onOpen(a.id)}
              onKeyDown={(e) => {
                if (e.key === 'Enter') onOpen(a.id);
              }}
            >
              <td className="timer">{fmt.full(a.openedAt)}</td>
              <td>
                <SeverityBadge severity={a.severity} />
              </td>
              <td className="strong">{t(`alertKind.${a.kind}`)}</td>
              <td>{a.residentName ?? directory.residentName(a.residentId)}</td>
              <td>{directory.orgUnitName(a.orgUnitId)}</td>
              <td>
                <AlertStatusBadge status={a.status} />
              </td>
              <td className="num">
                {ack === null ? <span className="muted">—</span> : t('history.seconds', { n: ack })}
              </td>
              <td>{a.outcome ? t(`outcome.${a.outcome}`) : <span className="muted">—</span>}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

import { SEVERITIES, type AlertView } from '@anxin/contract';
import { useI18n } from '../../i18n/i18n';
import { formatElapsed, useTimeFormat } from '../../time/time-format';
import { useNow } from '../../time/use-now';
import { useRouter } from '../console-router';
import { useConsoleLive } from '../live/console-live';
import { useDirectory } from '../registry/directory';
import { DegradedResidentsStrip, ProtectionBadge } from '../registry/protection';
import { AlertFlags, AlertStatusBadge, SeverityBadge } from './alert-badges';
import { isMaintenanceAlert, needsAlarm } from './alert-lanes';

/** The live emergency board: every open/acknowledged/dispatched alert in scope except maintenance ones. */
export function AlertBoard({ selectedId }: { selectedId: string | null }) {
  const { t } = useI18n();
  const { alerts, alarm, connection, snapshots } = useConsoleLive();
  const directory = useDirectory();
  const rows = alerts.filter((a) => !isMaintenanceAlert(a));
  const counts = SEVERITIES.map((s) => [s, rows.filter((a) => a.severity === s).length] as const);

  return (
    <section
      className="panel board"
      data-testid="alert-board"
      data-alarm={alarm.sounding ? 'on' : 'off'}
      data-audio={alarm.audio}
      data-beeps={alarm.beeps}
      data-snapshots={snapshots}
      aria-labelledby="board-title"
    >
      <header className="panel-head">
        <h2 id="board-title">{t('alerts.board.title')}</h2>
        <div className="sev-counts" aria-label={t('alerts.board.counts')}>
          {counts.map(([s, n]) => (
            <span key={s} className={`sev-count sev-${s} ${n === 0 ? 'is-zero' : ''}`} title={t(`severity.${s}`)}>
              {t(`severity.${s}`)} <b>{n}</b>
            </span>
          ))}
        </div>
      </header>
      <DegradedResidentsStrip alerts={alerts} residentName={directory.residentName} />
      {connection !== 'online' && snapshots > 0 && (
        <p className="stale-banner" role="status" data-testid="board-stale">
          {t('alerts.board.stale')}
        </p>
      )}
      {rows.length === 0 ? (
        <div className="empty" data-testid="alert-board-empty">
          <div className="empty-mark" aria-hidden="true">
            ✓
          </div>
          <p>{connection === 'online' ? t('alerts.board.empty') : t('alerts.board.waiting')}</p>
        </div>
      ) : (
        <div className="table-wrap">
          <AlertTable rows={rows} selectedId={selectedId} compact={selectedId !== null} />
        </div>
      )}
    </section>
  );
}

export function AlertTable({
  rows,
  selectedId,
  compact,
}: {
  rows: AlertView[];
  selectedId: string | null;
  compact?: boolean;
}) {
  const { t } = useI18n();
  const fmt = useTimeFormat();
  const now = useNow(1000);
  const { navigate } = useRouter();
  const directory = useDirectory();
  const open = (id: string) => navigate(`/alerts/${id}`);

  return (
    <table className="grid alert-table">
      <thead>
        <tr>
          <th scope="col">{t('alerts.col.severity')}</th>
          <th scope="col">{t('alerts.col.kind')}</th>
          <th scope="col">{t('alerts.col.resident')}</th>
          <th scope="col">{t('alerts.col.status')}</th>
          <th scope="col" className="num">
            {t('alerts.col.escalation')}
          </th>
          <th scope="col" className="num">
            {t('alerts.col.occurrences')}
          </th>
          <th scope="col" className="num">
            {t('alerts.col.age')}
          </th>
          {!compact && <th scope="col">{t('alerts.col.last')}</th>}
        </tr>
      </thead>
      <tbody>
        {rows.map((a) => (
          <tr
            key={a.id}
            className={`row sev-row-${a.severity} ${needsAlarm(a) ? 'is-alarming' : ''} ${a.id === selectedId ? 'is-selected' : ''}`}
            data-testid="alert-row"
            data-alert-id={a.id}
            data-kind={a.kind}
            data-status={a.status}
            tabIndex={0}
            aria-selected={a.id === selectedId}
            onClick={() => open(a.id)}
            onKeyDown={(e) => {
              if (e.key === 'Enter' || e.key === ' ') {
                e.preventDefault();
                open(a.id);
              }
            }}
          >
            <td>
              <SeverityBadge severity={a.severity} />
            </td>
            <td className="strong">{t(`alertKind.${a.kind}`)}</td>
            <td className="resident-cell">
              {a.residentName ?? directory.residentName(a.residentId)}
              <ProtectionBadge devices={a.degradedDevices ?? []} />
            </td>
            <td>
              <AlertStatusBadge status={a.status} />
              <AlertFlags alert={a} />
            </td>
            <td className="num" data-testid="alert-escalation">
              {a.escalationLevel > 0 ? (
                <span className="esc">L{a.escalationLevel}</span>
              ) : (
                <span className="muted">—</span>
              )}
            </td>
            <td className="num">
              {a.occurrences > 1 ? <span className="occ">×{a.occurrences}</span> : <span className="muted">1</span>}
            </td>
            <td className="num timer" data-testid="alert-age">
              {formatElapsed(now - Date.parse(a.openedAt))}
            </td>
            {!compact && <td className="muted nowrap">{fmt.time(a.lastOccurredAt)}</td>}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

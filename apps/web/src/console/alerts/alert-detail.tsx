import { useCallback, useEffect, useState } from 'react';
import { type AlertOutcome, type AlertView, RESOLVE_OUTCOMES, type ServiceOrderView } from '@anxin/contract';
import { useI18n, type Translate } from '../../i18n/i18n';
import { useSignedIn } from '../../session/session';
import { ageInYears, formatElapsed, useTimeFormat } from '../../time/time-format';
import { useNow } from '../../time/use-now';
import { ErrorLine } from '../../ui/dialog';
import { ResidentHistory } from '../history/resident-history';
import { useConsoleLive } from '../live/console-live';
import { OrderCaregiver } from '../orders/order-caregiver';
import { ResidentCard } from '../registry/resident-card';
import { DeviceStateList } from '../registry/device-state';
import { useDirectory } from '../registry/directory';
import { AlertFlags, AlertStatusBadge, OrderStatusBadge, SeverityBadge } from './alert-badges';
import { errorText } from '../../session/api-errors';
import { DispatchDialog, ResolveDialog } from './alert-actions';
import type { AlertDetail as AlertDetailData, AuditLine, VitalsPoint } from './alert-types';
import { EventTimeline, TriggerReadings } from './alert-evidence';
import { VitalsChart } from './vitals-chart';

const VITALS_MINUTES = 60;

function liveVersion(a: AlertView | undefined): string {
  return a ? `${a.status}|${a.escalationLevel}|${a.occurrences}|${a.lastOccurredAt}` : '';
}

const AUDIT_ACTIONS = [
  'alert.acknowledge',
  'alert.dispatch',
  'alert.resolve',
  'alert.escalate',
  'alert.notify_sent',
  'alert.notify_retry',
  'alert.notify_failed',
  'order.arrival_overdue',
] as const;

function auditLabel(t: Translate, action: string): string {
  return (AUDIT_ACTIONS as readonly string[]).includes(action)
    ? t(`audit.${action as (typeof AUDIT_ACTIONS)[number]}`)
    : action;
}

/** The parts of an audit detail a person reads: the note and the outcome; other fields stay in the log. */
function auditDetail(t: Translate, detail: AuditLine['detail']): string | null {
  if (detail == null) return null;
  if (typeof detail === 'string') return detail;
  const parts: string[] = [];
  const outcome = detail.outcome;
  if (typeof outcome === 'string' && [...RESOLVE_OUTCOMES, 'auto_resolved'].includes(outcome)) {
    parts.push(t(`outcome.${outcome as AlertOutcome}`));
  }
  if (typeof detail.level === 'number') parts.push(`L${detail.level}`);
  // Notification tries: which try of how many, and why it failed.
  if (typeof detail.attempt === 'number' && typeof detail.maxAttempts === 'number')
    parts.push(t('audit.attempt', { n: detail.attempt, max: detail.maxAttempts }));
  if (typeof detail.error === 'string') parts.push(detail.error);
  if (typeof detail.note === 'string' && detail.note) parts.push(`“${detail.note}”`);
  return parts.length ? parts.join(' · ') : null;
}

export function AlertDetail({ id, onClose }: { id: string; onClose: () => void }) {
  const { t } = useI18n();
  const fmt = useTimeFormat();
  const now = useNow(1000);
  const { api } = useSignedIn();
  const live = useConsoleLive();
  const directory = useDirectory();
  const liveAlert = live.alertById(id);
  const [detail, setDetail] = useState<AlertDetailData | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [vitals, setVitals] = useState<VitalsPoint[]>([]);
  const [dialog, setDialog] = useState<'dispatch' | 'resolve' | null>(null);
  const [ackNote, setAckNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [actionError, setActionError] = useState<string | null>(null);
  const version = liveVersion(liveAlert);

  const load = useCallback(() => {
    api
      .get<AlertDetailData>(`/alerts/${id}`)
      .then((d) => {
        setDetail(d);
        setLoadError(null);
      })
      .catch((e: unknown) => setLoadError(errorText(e, t)));
  }, [api, id, t]);

  useEffect(() => {
    setDetail(null);
    setActionError(null);
    setAckNote('');
  }, [id]);
  useEffect(load, [load, version]);

  const residentId = detail?.residentId ?? liveAlert?.residentId;
  useEffect(() => {
    if (!residentId) return;
    let active = true;
    const fetchVitals = () =>
      api
        .get<VitalsPoint[] | { points?: VitalsPoint[] }>(`/residents/${residentId}/vitals`, { minutes: VITALS_MINUTES })
        .then((v) => active && setVitals(Array.isArray(v) ? v : (v.points ?? [])))
        .catch(() => active && setVitals([]));
    void fetchVitals();
    const timer = window.setInterval(() => void fetchVitals(), 30_000);
    return () => {
      active = false;
      window.clearInterval(timer);
    };
  }, [api, residentId]);

  // The live version wins for status fields; the fetched detail adds resident, devices and history.
  const alert: AlertView | null = liveAlert ?? detail;
  if (!alert) {
    return (
      <section className="panel detail" data-testid="alert-detail">
        {loadError ? <ErrorLine error={loadError} /> : <p className="muted pad">{t('common.loading')}</p>}
      </section>
    );
  }

  const acknowledge = () => {
    setBusy(true);
    setActionError(null);
    api
      .post<AlertView>(`/alerts/${alert.id}/acknowledge`, ackNote.trim() ? { note: ackNote.trim() } : {})
      .then((a) => {
        live.upsertAlert(a);
        setAckNote('');
      })
      .catch((e: unknown) => setActionError(errorText(e, t)))
      .finally(() => setBusy(false));
  };

  const onDispatched = (order: ServiceOrderView) => {
    live.upsertOrder(order);
    load();
  };

  const resident = detail?.resident ?? null;
  const orders = [...live.orders.values()].filter((o) => o.alertId === alert.id);
  const age = resident ? ageInYears(resident.birthDate) : null;

  return (
    <section
      className={`panel detail sev-edge-${alert.severity}`}
      data-testid="alert-detail"
      data-alert-id={alert.id}
      data-status={alert.status}
    >
      <header className="detail-head">
        <div className="detail-title">
          <SeverityBadge severity={alert.severity} />
          <h2>
            {t(`alertKind.${alert.kind}`)}
            <span className="detail-resident">
              {' '}
              · {alert.residentName ?? resident?.name ?? directory.residentName(alert.residentId)}
            </span>
          </h2>
          <AlertStatusBadge status={alert.status} />
          <AlertFlags alert={alert} />
        </div>
        <button
          type="button"
          className="btn btn-ghost btn-icon"
          onClick={onClose}
          aria-label={t('common.close')}
          data-testid="alert-detail-close"
        >
          ×
        </button>
      </header>
      <dl className="facts">
        <div>
          <dt>{t('alert.openedAt')}</dt>
          <dd>{fmt.full(alert.openedAt)}</dd>
        </div>
        <div>
          <dt>{t('alerts.col.age')}</dt>
          <dd className="timer">
            {formatElapsed((alert.resolvedAt ? Date.parse(alert.resolvedAt) : now) - Date.parse(alert.openedAt))}
          </dd>
        </div>
        <div>
          <dt>{t('alerts.col.escalation')}</dt>
          <dd>{alert.escalationLevel > 0 ? <span className="esc">L{alert.escalationLevel}</span> : '—'}</dd>
        </div>
        <div>
          <dt>{t('alerts.col.occurrences')}</dt>
          <dd>{alert.occurrences}</dd>
        </div>
        <div>
          <dt>{t('alert.acknowledgedAt')}</dt>
          <dd>{alert.acknowledgedAt ? fmt.time(alert.acknowledgedAt) : '—'}</dd>
        </div>
      </dl>

      {alert.status !== 'resolved' && (
        <div className="detail-actions" role="group" aria-label={t('alert.actions')}>
          {alert.status === 'open' && (
            <>
              <input
                className="ack-note"
                placeholder={t('alert.ackNotePlaceholder')}
                value={ackNote}
                onChange={(e) => setAckNote(e.target.value)}
                aria-label={t('alert.ackNotePlaceholder')}
                maxLength={500}
              />
              <button
                type="button"
                className="btn btn-primary"
                onClick={acknowledge}
                disabled={busy}
                data-testid="alert-acknowledge"
              >
                {t('alert.acknowledge')}
              </button>
            </>
          )}
          <button
            type="button"
            className="btn btn-accent"
            onClick={() => setDialog('dispatch')}
            data-testid="alert-dispatch"
          >
            {t('alert.dispatch')}
          </button>
          <button type="button" className="btn" onClick={() => setDialog('resolve')} data-testid="alert-resolve">
            {t('alert.resolve')}
          </button>
        </div>
      )}
      {alert.status === 'resolved' && (
        <p className="resolved-line" data-testid="alert-resolved">
          {t('alert.resolvedAs', {
            outcome: alert.outcome ? t(`outcome.${alert.outcome}`) : '—',
            time: fmt.time(alert.resolvedAt),
          })}
          {alert.note ? ` · ${alert.note}` : ''}
        </p>
      )}
      <ErrorLine error={actionError} />

      <div className="detail-grid">
        <div className="detail-col">
          {resident ? (
            <>
              <ResidentCard resident={resident} age={age} degradedDevices={alert.degradedDevices} />
              <ResidentHistory residentId={resident.id} />
            </>
          ) : (
            <p className="muted">{t('common.loading')}</p>
          )}
          <section className="card">
            <h3>{t('alert.devices')}</h3>
            <DeviceStateList devices={detail?.devices ?? []} highlightId={alert.deviceId} />
          </section>
        </div>
        <div className="detail-col">
          <section className="card">
            <h3>{t('vitals.title', { minutes: VITALS_MINUTES })}</h3>
            <VitalsChart points={vitals} alertAt={alert.openedAt} minutes={VITALS_MINUTES} />
            <TriggerReadings alert={alert} />
          </section>
          {orders.length > 0 && (
            <section className="card" data-testid="alert-orders">
              <h3>{t('alert.orders')}</h3>
              <ul className="plain-list">
                {orders.map((o) => (
                  <li key={o.id} className="order-line" data-testid="alert-order" data-status={o.status}>
                    <span>{t(`orderKind.${o.kind}`)}</span>
                    <OrderStatusBadge status={o.status} />
                    <span>
                      <OrderCaregiver order={o} />
                    </span>
                    <span className="muted">{fmt.time(o.updatedAt)}</span>
                  </li>
                ))}
              </ul>
            </section>
          )}
          <section className="card">
            <h3>{t('alert.timeline')}</h3>
            <EventTimeline events={detail?.events ?? []} />
          </section>
          <section className="card">
            <h3>{t('alert.audit')}</h3>
            {(detail?.audit ?? []).length === 0 ? (
              <p className="muted">{t('common.none')}</p>
            ) : (
              <ol className="timeline" data-testid="alert-audit">
                {detail!.audit.map((a, i) => {
                  const extra = auditDetail(t, a.detail);
                  return (
                    <li key={`${a.at}${i}`}>
                      <time>{fmt.time(a.at)}</time>
                      <span className="strong">{auditLabel(t, a.action)}</span>
                      <span>{a.actorName ?? a.actorUsername ?? t('alert.system')}</span>
                      {extra && <span className="muted">{extra}</span>}
                    </li>
                  );
                })}
              </ol>
            )}
          </section>
        </div>
      </div>
      {dialog === 'dispatch' && (
        <DispatchDialog alert={alert} onClose={() => setDialog(null)} onDispatched={onDispatched} />
      )}
      {dialog === 'resolve' && (
        <ResolveDialog
          alert={alert}
          onClose={() => setDialog(null)}
          onResolved={(a) => {
            live.upsertAlert(a);
            load();
          }}
        />
      )}
    </section>
  );
}

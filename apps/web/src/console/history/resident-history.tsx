import { useEffect, useState } from 'react';
import type { AlertView, ServiceOrderView } from '@anxin/contract';
import { useI18n } from '../../i18n/i18n';
import { useSignedIn } from '../../session/session';
import { useTimeFormat } from '../../time/time-format';
import { AlertStatusBadge } from '../alerts/alert-badges';
import { Link } from '../console-router';

const SHOWN = 10;

/** A resident's latest alerts and service orders, any status (issue 15), each alert opening on 告警记录. */
export function ResidentHistory({ residentId }: { residentId: string }) {
  const { t } = useI18n();
  const fmt = useTimeFormat();
  const { api } = useSignedIn();
  const [alerts, setAlerts] = useState<AlertView[] | null>(null);
  const [orders, setOrders] = useState<ServiceOrderView[] | null>(null);

  useEffect(() => {
    let active = true;
    void Promise.all([
      api.list<AlertView>('/alerts', { residentId, pageSize: SHOWN }),
      api.list<ServiceOrderView>('/orders', { residentId, pageSize: SHOWN }),
    ])
      .then(([a, o]) => {
        if (!active) return;
        setAlerts(a.items);
        setOrders(o.items);
      })
      .catch(() => undefined);
    return () => {
      active = false;
    };
  }, [api, residentId]);

  return (
    <section className="card" data-testid="resident-history">
      <h3>{t('resident.history')}</h3>
      <ul className="history-list">
        {(alerts ?? []).map((a) => (
          <li key={a.id} data-testid="resident-history-alert">
            <span className="timer">{fmt.dateTime(a.openedAt)}</span>
            <Link to={`/history/${a.id}`}>{t(`alertKind.${a.kind}`)}</Link>
            <AlertStatusBadge status={a.status} />
            <span className="muted">{a.outcome ? t(`outcome.${a.outcome}`) : ''}</span>
          </li>
        ))}
        {alerts?.length === 0 && <li className="muted">{t('resident.noAlerts')}</li>}
      </ul>
      <ul className="history-list">
        {(orders ?? []).map((o) => (
          <li key={o.id} data-testid="resident-history-order">
            <span className="timer">{fmt.dateTime(o.createdAt)}</span>
            <span>{t(`orderKind.${o.kind}`)}</span>
            <span>{t(`orderStatus.${o.status}`)}</span>
          </li>
        ))}
        {orders?.length === 0 && <li className="muted">{t('resident.noOrders')}</li>}
      </ul>
    </section>
  );
}

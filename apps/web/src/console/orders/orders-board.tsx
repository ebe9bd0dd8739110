import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { ORDER_KINDS, ORDER_STATUSES, type OrderKind, type OrderStatus, type ServiceOrderView } from '@anxin/contract';
import { useI18n } from '../../i18n/i18n';
import { useSignedIn } from '../../session/session';
import { formatElapsed, useTimeFormat } from '../../time/time-format';
import { useNow } from '../../time/use-now';
import { Dialog, ErrorLine } from '../../ui/dialog';
import { errorText } from '../../session/api-errors';
import { OrderStatusBadge } from '../alerts/alert-badges';
import { Link } from '../console-router';
import { ExportButton } from '../list-export';
import { useConsoleLive } from '../live/console-live';
import { useDirectory } from '../registry/directory';
import { OrderCaregiver } from './order-caregiver';

const ACTIVE: readonly OrderStatus[] = ['pending', 'offered', 'accepted', 'en_route', 'on_site', 'unassigned'];
const CLOSED = ORDER_STATUSES.filter((s) => !ACTIVE.includes(s));
const STATUS_RANK: Record<OrderStatus, number> = {
  unassigned: 0,
  pending: 1,
  offered: 2,
  accepted: 3,
  en_route: 4,
  on_site: 5,
  completed: 6,
  cancelled: 7,
};

/** The live service-order board: HTTP list once, then `order:updated` / `order:unassigned` merged in. */
export function OrdersBoard() {
  const { t } = useI18n();
  const fmt = useTimeFormat();
  const now = useNow(1000);
  const { api } = useSignedIn();
  const live = useConsoleLive();
  const directory = useDirectory();
  const [loaded, setLoaded] = useState<ServiceOrderView[]>([]);
  const [tab, setTab] = useState<'active' | 'closed'>('active');
  const [creating, setCreating] = useState(false);
  const [cancelling, setCancelling] = useState<ServiceOrderView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [generation, setGeneration] = useState(0);

  useEffect(() => {
    let active = true;
    api
      .list<ServiceOrderView>('/orders')
      .then((r) => active && setLoaded(r.items))
      .catch((e: unknown) => active && setError(errorText(e, t)));
    return () => {
      active = false;
    };
    // a reconnect (new snapshot) may have missed order events: reload with it
  }, [api, t, generation, live.snapshots]);

  const orders = useMemo(() => {
    const merged = new Map(loaded.map((o) => [o.id, o]));
    for (const o of live.orders.values()) {
      const had = merged.get(o.id);
      if (!had || Date.parse(o.updatedAt) >= Date.parse(had.updatedAt)) merged.set(o.id, o);
    }
    return [...merged.values()];
  }, [loaded, live.orders]);
  const rows = orders
    .filter((o) => (tab === 'active' ? ACTIVE.includes(o.status) : !ACTIVE.includes(o.status)))
    .sort((a, b) =>
      tab === 'active'
        ? STATUS_RANK[a.status] - STATUS_RANK[b.status] || Date.parse(a.createdAt) - Date.parse(b.createdAt)
        : Date.parse(b.updatedAt) - Date.parse(a.updatedAt),
    );
  const activeCount = orders.filter((o) => ACTIVE.includes(o.status)).length;

  return (
    <section className="panel board" data-testid="orders-board">
      <header className="panel-head">
        <h2>{t('orders.title')}</h2>
        <div className="tabs" role="tablist">
          <button
            type="button"
            role="tab"
            aria-selected={tab === 'active'}
            className={`tab ${tab === 'active' ? 'is-on' : ''}`}
            onClick={() => setTab('active')}
          >
            {t('orders.active')} <b>{activeCount}</b>
          </button>
          <button
            type="button"
            role="tab"
            aria-selected={tab === 'closed'}
            className={`tab ${tab === 'closed' ? 'is-on' : ''}`}
            onClick={() => setTab('closed')}
          >
            {t('orders.closed')}
          </button>
        </div>
        <span className="grow" />
        <ExportButton
          path="/orders"
          query={{ status: (tab === 'active' ? ACTIVE : CLOSED).join(',') }}
          fallbackName="orders"
        />
        <button
          type="button"
          className="btn btn-primary btn-sm"
          onClick={() => setCreating(true)}
          data-testid="order-new"
        >
          + {t('orders.create')}
        </button>
      </header>
      <ErrorLine error={error} />
      {rows.length === 0 ? (
        <p className="empty-line">{t('orders.empty')}</p>
      ) : (
        <div className="table-wrap">
          <table className="grid">
            <thead>
              <tr>
                <th>{t('orders.col.kind')}</th>
                <th>{t('orders.col.status')}</th>
                <th>{t('orders.col.resident')}</th>
                <th>{t('orders.col.caregiver')}</th>
                <th className="num">{t('orders.col.offer')}</th>
                <th>{t('orders.col.created')}</th>
                <th className="num">{t('orders.col.age')}</th>
                <th>{t('orders.col.notes')}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {rows.map((o) => {
                const offerLeft =
                  o.status === 'offered' && o.offerExpiresAt ? Date.parse(o.offerExpiresAt) - now : null;
                return (
                  <tr
                    key={o.id}
                    className={`row order-row-${o.status}`}
                    data-testid="order-row"
                    data-order-id={o.id}
                    data-status={o.status}
                  >
                    <td className="strong">
                      {o.kind === 'emergency' && <span className="tag tag-danger">!</span>} {t(`orderKind.${o.kind}`)}
                    </td>
                    <td>
                      <OrderStatusBadge status={o.status} />
                    </td>
                    <td>{directory.residentName(o.residentId)}</td>
                    <td data-testid="order-caregiver">
                      <OrderCaregiver order={o} />
                    </td>
                    <td className="num timer">{offerLeft !== null ? formatElapsed(offerLeft) : '—'}</td>
                    <td className="nowrap">{fmt.dateTime(o.createdAt)}</td>
                    <td className="num timer">
                      {ACTIVE.includes(o.status) ? formatElapsed(now - Date.parse(o.createdAt)) : '—'}
                    </td>
                    <td className="ellipsis">
                      {o.alertId && (
                        <Link to={`/alerts/${o.alertId}`} className="tag tag-link">
                          {t('orders.fromAlert')}
                        </Link>
                      )}{' '}
                      {o.notes ?? ''}
                    </td>
                    <td className="row-actions">
                      {ACTIVE.includes(o.status) && (
                        <button
                          type="button"
                          className="btn btn-sm"
                          onClick={() => setCancelling(o)}
                          data-testid="order-cancel"
                        >
                          {t('orders.cancel')}
                        </button>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {creating && (
        <CreateOrderDialog
          onClose={() => setCreating(false)}
          onCreated={(o) => {
            live.upsertOrder(o);
            setGeneration((g) => g + 1);
          }}
          residents={[...directory.residents.values()].map((r) => ({ id: r.id, name: r.name }))}
        />
      )}
      {cancelling && (
        <CancelOrderDialog
          order={cancelling}
          onClose={() => setCancelling(null)}
          onCancelled={(o) => {
            live.upsertOrder(o);
            setGeneration((g) => g + 1);
          }}
        />
      )}
    </section>
  );
}

function CreateOrderDialog({
  onClose,
  onCreated,
  residents,
}: {
  onClose: () => void;
  onCreated: (o: ServiceOrderView) => void;
  residents: { id: string; name: string }[];
}) {
  const { t } = useI18n();
  const { api } = useSignedIn();
  const [kind, setKind] = useState<OrderKind>('meal');
  const [residentId, setResidentId] = useState(residents[0]?.id ?? '');
  const [notes, setNotes] = useState('');
  const [error, setError] = useState<string | null>(null);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    api
      .post<ServiceOrderView>(
        '/orders',
        notes.trim() ? { kind, residentId, notes: notes.trim() } : { kind, residentId },
      )
      .then((o) => {
        onCreated(o);
        onClose();
      })
      .catch((e: unknown) => setError(errorText(e, t)));
  };
  return (
    <Dialog title={t('orders.create')} onClose={onClose} testId="order-create-dialog">
      <form className="stack" onSubmit={submit}>
        <label className="field">
          <span>{t('orders.col.kind')}</span>
          <select value={kind} onChange={(e) => setKind(e.target.value as OrderKind)}>
            {ORDER_KINDS.map((k) => (
              <option key={k} value={k}>
                {t(`orderKind.${k}`)}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>{t('orders.col.resident')}</span>
          <select value={residentId} onChange={(e) => setResidentId(e.target.value)} required>
            {residents.map((r) => (
              <option key={r.id} value={r.id}>
                {r.name}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>{t('orders.col.notes')}</span>
          <textarea rows={2} maxLength={1000} value={notes} onChange={(e) => setNotes(e.target.value)} />
        </label>
        <ErrorLine error={error} />
        <div className="actions-row">
          <button type="button" className="btn" onClick={onClose}>
            {t('common.cancel')}
          </button>
          <button type="submit" className="btn btn-primary" disabled={!residentId}>
            {t('orders.create')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

function CancelOrderDialog({
  order,
  onClose,
  onCancelled,
}: {
  order: ServiceOrderView;
  onClose: () => void;
  onCancelled: (o: ServiceOrderView) => void;
}) {
  const { t } = useI18n();
  const { api } = useSignedIn();
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    api
      .post<ServiceOrderView>(`/orders/${order.id}/cancel`, { reason: reason.trim() })
      .then((o) => {
        onCancelled(o);
        onClose();
      })
      .catch((e: unknown) => setError(errorText(e, t)));
  };
  return (
    <Dialog title={t('orders.cancelTitle')} onClose={onClose} testId="order-cancel-dialog">
      <form className="stack" onSubmit={submit}>
        <label className="field">
          <span>{t('orders.cancelReason')}</span>
          <input required maxLength={500} value={reason} onChange={(e) => setReason(e.target.value)} autoFocus />
        </label>
        <ErrorLine error={error} />
        <div className="actions-row">
          <button type="button" className="btn" onClick={onClose}>
            {t('common.back')}
          </button>
          <button type="submit" className="btn btn-danger" disabled={!reason.trim()}>
            {t('orders.cancel')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

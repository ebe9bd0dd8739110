import { useEffect, useMemo, useState } from 'react';
import type { AlertReport, AlertView, OrderKind } from '@anxin/contract';
import { useI18n } from '../../i18n/i18n';
import { ConnectionIndicator } from '../../session/connection-indicator';
import { useSignedIn } from '../../session/session';
import { useTimeFormat } from '../../time/time-format';
import { useTimeZone } from '../../time/time-zone';
import { useNow } from '../../time/use-now';
import { localToday, presetPeriod, startOfLocalDay } from '@anxin/contract';
import { isMaintenanceAlert } from '../alerts/alert-lanes';
import { useConsoleLive } from '../live/console-live';
import { useDirectory } from '../registry/directory';

const REFRESH_MS = 60_000;
const TICKER_ROWS = 12;
const IN_PROGRESS = new Set(['pending', 'offered', 'accepted', 'en_route', 'on_site']);

interface Figures {
  today: number;
  month: number;
  medianAckSeconds: number | null;
  devices: number;
  online: number;
}

/** Today's and this month's reports and the device counts, refreshed every minute (the live parts come by socket). */
function useFigures(): Figures | null {
  const { api } = useSignedIn();
  const timeZone = useTimeZone();
  const [figures, setFigures] = useState<Figures | null>(null);
  useEffect(() => {
    let active = true;
    const load = async () => {
      const now = new Date();
      const month = presetPeriod('thisMonth', timeZone, now);
      const today = { from: startOfLocalDay(localToday(timeZone, now), timeZone), to: month.to };
      const window = (p: { from: Date; to: Date }) => ({ from: p.from.toISOString(), to: p.to.toISOString() });
      const [d, m, all, online] = await Promise.all([
        api.get<AlertReport>('/reports/alerts', window(today)),
        api.get<AlertReport>('/reports/alerts', window(month)),
        api.list('/devices', { limit: 1 }),
        api.list('/devices', { limit: 1, online: true }),
      ]);
      if (active)
        setFigures({
          today: d.total,
          month: m.total,
          medianAckSeconds: m.medianAcknowledgeSeconds,
          devices: all.total,
          online: online.total,
        });
    };
    void load().catch(() => undefined);
    const timer = window.setInterval(() => void load().catch(() => undefined), REFRESH_MS);
    return () => {
      active = false;
      window.clearInterval(timer);
    };
  }, [api, timeZone]);
  return figures;
}

/**
 * 大屏 (issue 15): the command centre's 1920×1080 wall — today's and this month's alerts, what is open
 * now, acknowledgement time, devices online, degraded protection, orders under way, a live ticker and
 * each station's state. Live parts come from the console socket; nothing scrolls, nothing accumulates.
 */
export function WallScreen() {
  const { t } = useI18n();
  const fmt = useTimeFormat();
  const now = useNow(1000);
  const live = useConsoleLive();
  const directory = useDirectory();
  const figures = useFigures();

  const emergencies = live.alerts.filter((a) => !isMaintenanceAlert(a));
  const openNow = emergencies.filter((a) => a.status === 'open').length;
  const degraded = new Set(live.alerts.filter((a) => (a.degradedDevices ?? []).length > 0).map((a) => a.residentId))
    .size;
  const ticker = [...emergencies].sort((a, b) => Date.parse(b.openedAt) - Date.parse(a.openedAt)).slice(0, TICKER_ROWS);
  const ordersByKind = useMemo(() => {
    const counts = new Map<OrderKind, number>();
    for (const o of live.orders.values())
      if (IN_PROGRESS.has(o.status)) counts.set(o.kind, (counts.get(o.kind) ?? 0) + 1);
    return [...counts].sort((a, b) => b[1] - a[1]);
  }, [live.orders]);
  const stations = directory.orgUnits.filter((u) => u.kind === 'station');
  const unitPath = (id: string) => directory.orgUnits.find((u) => u.id === id)?.path ?? '';
  const openIn = (path: string, list: AlertView[]) => list.filter((a) => unitPath(a.orgUnitId).startsWith(path)).length;
  const onlineShare =
    figures && figures.devices > 0 ? `${((figures.online / figures.devices) * 100).toFixed(1)}%` : '—';

  return (
    <div className="wall" data-testid="wall-screen">
      <header className="wall-head">
        <h1>{t('screen.title')}</h1>
        <div className="wall-head-right">
          <ConnectionIndicator state={live.connection} />
          <span className="wall-clock">{fmt.full(new Date(now))}</span>
        </div>
      </header>
      <div className="wall-figures">
        <Figure id="today" label={t('screen.today')} value={figures?.today} />
        <Figure id="month" label={t('screen.month')} value={figures?.month} />
        <Figure id="open" label={t('screen.openNow')} value={openNow} hot={openNow > 0} />
        <Figure
          id="ack"
          label={t('screen.medianAck')}
          value={figures?.medianAckSeconds == null ? '—' : t('history.seconds', { n: figures.medianAckSeconds })}
        />
        <Figure id="online" label={t('screen.online')} value={onlineShare} />
        <Figure id="degraded" label={t('screen.degraded')} value={degraded} hot={degraded > 0} />
      </div>
      <div className="wall-body">
        <section className="wall-panel" data-testid="wall-stations">
          <h2>{t('screen.stations')}</h2>
          <ul className="wall-list">
            {stations.slice(0, 14).map((s) => {
              const open = openIn(s.path, emergencies);
              return (
                <li key={s.id} className={open > 0 ? 'is-hot' : 'is-calm'} data-testid="wall-station" data-open={open}>
                  <span>{s.name}</span>
                  <strong>{open > 0 ? t('screen.stationOpen', { n: open }) : t('screen.stationCalm')}</strong>
                </li>
              );
            })}
          </ul>
        </section>
        <section className="wall-panel wall-ticker" data-testid="wall-ticker">
          <h2>{t('screen.ticker')}</h2>
          <ul className="wall-list">
            {ticker.map((a) => (
              <li key={a.id} className={`sev-${a.severity}`} data-testid="wall-ticker-row" data-kind={a.kind}>
                <span className="timer">{fmt.time(a.openedAt)}</span>
                <strong>{t(`alertKind.${a.kind}`)}</strong>
                <span>{a.residentName ?? directory.residentName(a.residentId)}</span>
                <span className="muted">{directory.orgUnitName(a.orgUnitId)}</span>
                <span>{t(`alertStatus.${a.status}`)}</span>
              </li>
            ))}
            {ticker.length === 0 && <li className="muted">{t('screen.quiet')}</li>}
          </ul>
        </section>
        <section className="wall-panel" data-testid="wall-orders">
          <h2>{t('screen.orders')}</h2>
          <ul className="wall-list">
            {ordersByKind.map(([kind, n]) => (
              <li key={kind}>
                <span>{t(`orderKind.${kind}`)}</span>
                <strong>{n}</strong>
              </li>
            ))}
            {ordersByKind.length === 0 && <li className="muted">{t('screen.noOrders')}</li>}
          </ul>
        </section>
      </div>
    </div>
  );
}

function Figure({
  id,
  label,
  value,
  hot,
}: {
  id: string;
  label: string;
  value: number | string | undefined;
  hot?: boolean;
}) {
  return (
    <div className={`wall-figure ${hot ? 'is-hot' : ''}`} data-testid={`wall-${id}`}>
      <span>{label}</span>
      <strong>{value ?? '…'}</strong>
    </div>
  );
}

import { useEffect, useMemo, useState } from 'react';
import { type AlertReport, type DeviceReport, localToday, type OrderReport } from '@anxin/contract';
import { type MessageKey, useI18n } from '../../i18n/i18n';
import { useSignedIn } from '../../session/session';
import { useTimeZone } from '../../time/time-zone';
import { ErrorLine } from '../../ui/dialog';
import { errorText } from '../../session/api-errors';
import { type Bar, BarChartPanel } from './bar-chart';
import { PeriodPicker, UnitPicker, usePeriod } from './period-picker';

/** A share against a target: met, within `amber` of it, or short (TEC Quality's call-answering and response targets). */
interface Target {
  goal: number;
  amber: number;
}
const TARGETS = {
  within60: { goal: 0.975, amber: 0.9 },
  within180: { goal: 0.99, amber: 0.95 },
  arrived45: { goal: 0.9, amber: 0.8 },
  availability: { goal: 0.99, amber: 0.95 },
} satisfies Record<string, Target>;

function tone(value: number | null, target?: Target): 'good' | 'warn' | 'bad' | 'plain' {
  if (!target || value === null) return 'plain';
  if (value >= target.goal) return 'good';
  return value >= target.amber ? 'warn' : 'bad';
}

const percent = (v: number | null) => (v === null ? '—' : `${(v * 100).toFixed(1)}%`);

/** 统计分析 (issue 15): the period's alert and order KPIs for a unit, against their targets, charts, and files. */
export function StatsPage() {
  const { t } = useI18n();
  const { api } = useSignedIn();
  const [period, setPeriod] = usePeriod('thisQuarter');
  const [orgUnitId, setOrgUnitId] = useState('');
  const [alerts, setAlerts] = useState<AlertReport | null>(null);
  const [orders, setOrders] = useState<OrderReport | null>(null);
  const [devices, setDevices] = useState<DeviceReport | null>(null);
  const timeZone = useTimeZone();
  const [error, setError] = useState<string | null>(null);
  const query = useMemo(
    () => ({ from: period.from.toISOString(), to: period.to.toISOString(), orgUnitId }),
    [period, orgUnitId],
  );

  useEffect(() => {
    let active = true;
    Promise.all([
      api.get<AlertReport>('/reports/alerts', query),
      api.get<OrderReport>('/reports/orders', query),
      api.get<DeviceReport>('/reports/devices', query),
    ])
      .then(([a, o, d]) => {
        if (!active) return;
        setAlerts(a);
        setOrders(o);
        setDevices(d);
        setError(null);
      })
      .catch((e: unknown) => active && setError(errorText(e, t)));
    return () => {
      active = false;
    };
  }, [api, query, t]);

  const download = (report: 'alerts' | 'orders', format: 'xlsx' | 'csv') =>
    api
      .download(`/reports/${report}`, { ...query, format }, `${report}.${format}`)
      .catch((e: unknown) => setError(errorText(e, t)));

  // A quarter preset also offers the bureau's quarterly file (its quarter read in the platform's zone).
  const quarter =
    period.preset === 'thisQuarter' || period.preset === 'lastQuarter' ? localToday(timeZone, period.from) : null;
  const downloadQuarterly = () =>
    quarter &&
    api
      .download(
        '/reports/quarterly',
        { year: quarter.year, quarter: Math.ceil(quarter.month / 3), orgUnitId },
        'quarterly.xlsx',
      )
      .catch((e: unknown) => setError(errorText(e, t)));

  const kindBars = (byKind: Record<string, number | undefined>, prefix: 'alertKind' | 'orderKind'): Bar[] =>
    Object.entries(byKind).map(([k, n]) => ({ name: t(`${prefix}.${k}` as MessageKey), value: n ?? 0 }));

  return (
    <div className="stats" data-testid="stats-page" data-loaded={alerts && orders && devices ? 'yes' : 'no'}>
      <section className="panel">
        <header className="panel-head">
          <h2>{t('stats.title')}</h2>
          <div className="filters">
            <PeriodPicker value={period} onChange={setPeriod} />
            <UnitPicker value={orgUnitId} onChange={setOrgUnitId} testId="stats-unit" />
            <button
              type="button"
              className="btn"
              onClick={() => void download('alerts', 'xlsx')}
              data-testid="export-alerts"
            >
              {t('stats.exportAlerts')}
            </button>
            <button
              type="button"
              className="btn"
              onClick={() => void download('orders', 'xlsx')}
              data-testid="export-orders"
            >
              {t('stats.exportOrders')}
            </button>
            {quarter && (
              <button
                type="button"
                className="btn"
                onClick={() => void downloadQuarterly()}
                data-testid="export-quarterly"
              >
                {t('stats.exportQuarterly')}
              </button>
            )}
          </div>
        </header>
        <ErrorLine error={error} />
        {alerts && orders && devices && (
          <div className="kpi-grid">
            <Kpi id="alerts-total" label="stats.alertsTotal" value={String(alerts.total)} />
            <Kpi
              id="ack-60"
              label="stats.ack60"
              value={percent(alerts.acknowledgedWithin60s)}
              tone={tone(alerts.acknowledgedWithin60s, TARGETS.within60)}
              goal={percent(TARGETS.within60.goal)}
            />
            <Kpi
              id="ack-180"
              label="stats.ack180"
              value={percent(alerts.acknowledgedWithin180s)}
              tone={tone(alerts.acknowledgedWithin180s, TARGETS.within180)}
              goal={percent(TARGETS.within180.goal)}
            />
            <Kpi
              id="ack-median"
              label="stats.ackMedian"
              value={
                alerts.medianAcknowledgeSeconds === null
                  ? '—'
                  : t('history.seconds', { n: alerts.medianAcknowledgeSeconds })
              }
            />
            <Kpi
              id="ack-p90"
              label="stats.ackP90"
              value={
                alerts.p90AcknowledgeSeconds === null ? '—' : t('history.seconds', { n: alerts.p90AcknowledgeSeconds })
              }
            />
            <Kpi id="false-alarms" label="stats.falseAlarms" value={percent(alerts.falseAlarmRate)} />
            <Kpi id="escalated" label="stats.escalated" value={String(alerts.escalated)} />
            <Kpi
              id="unassigned-emergencies"
              label="stats.unassignedEmergencies"
              value={String(alerts.unassignedEmergencies)}
              tone={alerts.unassignedEmergencies > 0 ? 'bad' : 'good'}
            />
            <Kpi id="on-site-15" label="stats.onSite15" value={percent(alerts.onSiteWithin15min)} />
            <Kpi
              id="on-site-45"
              label="stats.onSite45"
              value={percent(alerts.onSiteWithin45min)}
              tone={tone(alerts.onSiteWithin45min, TARGETS.arrived45)}
              goal={percent(TARGETS.arrived45.goal)}
            />
            <Kpi id="orders-total" label="stats.ordersTotal" value={String(orders.total)} />
            <Kpi id="orders-completed" label="stats.completed" value={String(orders.completed)} />
            <Kpi
              id="orders-unassigned"
              label="stats.unassigned"
              value={String(orders.unassigned)}
              tone={orders.unassigned > 0 ? 'bad' : 'good'}
            />
            <Kpi
              id="arrived-45"
              label="stats.arrived45"
              value={percent(orders.arrivedWithin45min)}
              tone={tone(orders.arrivedWithin45min, TARGETS.arrived45)}
              goal={percent(TARGETS.arrived45.goal)}
            />
            <Kpi id="devices-total" label="stats.devices" value={String(devices.total)} />
            <Kpi id="devices-offline" label="stats.offlineIncidents" value={String(devices.offlineIncidents)} />
            <Kpi
              id="availability"
              label="stats.availability"
              value={percent(devices.availability)}
              tone={tone(devices.availability, TARGETS.availability)}
              goal={percent(TARGETS.availability.goal)}
            />
          </div>
        )}
      </section>
      {alerts && orders && (
        <div className="chart-grid">
          <BarChartPanel
            title={t('stats.chart.ackTimes')}
            bars={alerts.acknowledgeTimes.map((b) => ({
              name: t(`stats.ack.${b.bucket}` as MessageKey),
              value: b.total,
            }))}
            color="#39c5cf"
            testId="chart-ack-times"
          />
          <BarChartPanel
            title={t('stats.chart.alertsByDay')}
            bars={alerts.byDay.map((d) => ({ name: d.day.slice(5), value: d.total }))}
            color="#a371f7"
            testId="chart-alerts-day"
          />
          <BarChartPanel
            title={t('stats.chart.alertsByKind')}
            bars={kindBars(alerts.byKind, 'alertKind')}
            color="#f85149"
            testId="chart-alerts-kind"
          />
          <BarChartPanel
            title={t('stats.chart.alertsByUnit')}
            bars={alerts.byOrgUnit.map((u) => ({ name: u.name, value: u.total }))}
            color="#d29922"
            testId="chart-alerts-unit"
          />
          <BarChartPanel
            title={t('stats.chart.ordersByKind')}
            bars={kindBars(orders.byKind, 'orderKind')}
            color="#3fb950"
            testId="chart-orders-kind"
          />
          <BarChartPanel
            title={t('stats.chart.ordersByOrg')}
            bars={orders.byServiceOrg.map((o) => ({ name: o.name ?? t('stats.noOrg'), value: o.total }))}
            color="#58a6ff"
            testId="chart-orders-org"
          />
        </div>
      )}
    </div>
  );
}

function Kpi({
  id,
  label,
  value,
  tone: kind = 'plain',
  goal,
}: {
  id: string;
  label: MessageKey;
  value: string;
  tone?: 'good' | 'warn' | 'bad' | 'plain';
  goal?: string;
}) {
  const { t } = useI18n();
  return (
    <div className={`kpi kpi-${kind}`} data-testid={`kpi-${id}`} data-tone={kind}>
      <span className="kpi-label">{t(label)}</span>
      <strong className="kpi-value">{value}</strong>
      {goal && <span className="kpi-goal">{t('stats.goal', { goal })}</span>}
    </div>
  );
}

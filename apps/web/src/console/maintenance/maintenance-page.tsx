import { useEffect, useState } from 'react';
import { useI18n } from '../../i18n/i18n';
import { useSignedIn } from '../../session/session';
import { useTimeFormat } from '../../time/time-format';
import { ErrorLine } from '../../ui/dialog';
import { errorText } from '../alerts/alert-actions';
import { isMaintenanceAlert } from '../alerts/alert-lanes';
import { AlertTable } from '../alerts/alert-board';
import { Link } from '../console-router';
import { useConsoleLive } from '../live/console-live';
import { Battery, OnlineDot } from '../registry/device-state';
import { useDirectory } from '../registry/directory';
import { DegradedResidentsStrip } from '../registry/protection';
import { LOW_BATTERY_PERCENT, type DeviceView } from '../registry/registry-types';

interface DeviceLists {
  offline: DeviceView[];
  lowBattery: DeviceView[];
  rejecting: DeviceView[];
}

/** Maintenance: low-severity and device alerts, offline devices, low batteries, devices rejecting messages. */
export function MaintenancePage() {
  const { t } = useI18n();
  const { api } = useSignedIn();
  const live = useConsoleLive();
  const [lists, setLists] = useState<DeviceLists | null>(null);
  const [error, setError] = useState<string | null>(null);
  const alerts = live.alerts.filter(isMaintenanceAlert);
  const directory = useDirectory();

  useEffect(() => {
    let active = true;
    const load = () =>
      Promise.all([
        api.list<DeviceView>('/devices', { online: false, enabled: true }),
        api.list<DeviceView>('/devices'),
        api.list<DeviceView>('/devices', { rejecting: true }),
      ])
        .then(([offline, all, rejecting]) => {
          if (!active) return;
          setLists({
            offline: offline.items,
            lowBattery: all.items.filter((d) => d.battery !== null && d.battery <= LOW_BATTERY_PERCENT),
            rejecting: rejecting.items,
          });
          setError(null);
        })
        .catch((e: unknown) => active && setError(errorText(e, t('error.network'))));
    void load();
    const timer = window.setInterval(() => void load(), 30_000);
    return () => {
      active = false;
      window.clearInterval(timer);
    };
  }, [api, t]);

  return (
    <div className="maint-grid" data-testid="maintenance-page">
      <DegradedResidentsStrip alerts={live.alerts} residentName={directory.residentName} />
      <section className="panel" data-testid="maintenance-alerts">
        <header className="panel-head">
          <h2>{t('maint.alerts')}</h2>
          <span className="count-pill">{alerts.length}</span>
        </header>
        {alerts.length === 0 ? (
          <p className="empty-line">{t('maint.noAlerts')}</p>
        ) : (
          <div className="table-wrap">
            <AlertTable rows={alerts} selectedId={null} compact />
          </div>
        )}
      </section>
      <ErrorLine error={error} />
      <DeviceTable testId="maintenance-offline" title={t('maint.offline')} devices={lists?.offline} />
      <DeviceTable
        testId="maintenance-battery"
        title={t('maint.lowBattery', { n: LOW_BATTERY_PERCENT })}
        devices={lists?.lowBattery}
      />
      <DeviceTable
        testId="maintenance-rejecting"
        title={t('maint.rejecting')}
        devices={lists?.rejecting}
        showRejection
      />
    </div>
  );
}

function DeviceTable({
  title,
  devices,
  showRejection,
  testId,
}: {
  title: string;
  devices?: DeviceView[];
  showRejection?: boolean;
  testId: string;
}) {
  const { t } = useI18n();
  const fmt = useTimeFormat();
  const directory = useDirectory();
  return (
    <section className="panel" data-testid={testId}>
      <header className="panel-head">
        <h2>{title}</h2>
        <span className="count-pill">{devices?.length ?? '…'}</span>
      </header>
      {devices && devices.length === 0 ? (
        <p className="empty-line">{t('common.none')}</p>
      ) : (
        <div className="table-wrap">
          <table className="grid grid-compact">
            <thead>
              <tr>
                <th>{t('device.type')}</th>
                <th>{t('orders.col.resident')}</th>
                <th>{t('device.state')}</th>
                <th>{t('device.battery')}</th>
                <th>{t('device.lastSeen')}</th>
                {showRejection && <th>{t('maint.lastRejection')}</th>}
              </tr>
            </thead>
            <tbody>
              {(devices ?? []).map((d) => (
                <tr key={d.id}>
                  <td className="strong">{t(`deviceType.${d.type}`)}</td>
                  <td>
                    <Link to={`/residents/${d.residentId}`}>{directory.residentName(d.residentId)}</Link>
                  </td>
                  <td>
                    <OnlineDot device={d} />
                  </td>
                  <td>
                    <Battery percent={d.battery} />
                  </td>
                  <td className="muted nowrap">{d.lastSeenAt ? fmt.dateTime(d.lastSeenAt) : t('maint.never')}</td>
                  {showRejection && (
                    <td>
                      <span className="tag tag-warn">{d.rejectedMessages}</span>{' '}
                      {d.lastRejection ? `${d.lastRejection.reason} · ${fmt.dateTime(d.lastRejection.at)}` : ''}
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

import { useEffect, useState } from 'react';
import { useI18n } from '../../i18n/i18n';
import { useSignedIn } from '../../session/session';
import { useTimeFormat } from '../../time/time-format';
import { ErrorLine } from '../../ui/dialog';
import { errorText } from '../../session/api-errors';
import { isMaintenanceAlert } from '../alerts/alert-lanes';
import { AlertTable } from '../alerts/alert-board';
import { Link } from '../console-router';
import { useConsoleLive } from '../live/console-live';
import { Battery, OnlineDot } from '../registry/device-state';
import { useDirectory } from '../registry/directory';
import { DegradedResidentsStrip } from '../registry/protection';
import { LOW_BATTERY_PERCENT, type DeviceView } from '../registry/registry-types';
import { ExportButton } from '../list-export';

// The three device lists, as filters of `/devices` (shown and exported alike).
const OFFLINE = { online: false, enabled: true };
const LOW_BATTERY = { batteryAtMost: LOW_BATTERY_PERCENT };
const REJECTING = { rejecting: true };

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
        api.list<DeviceView>('/devices', OFFLINE),
        api.list<DeviceView>('/devices', LOW_BATTERY),
        api.list<DeviceView>('/devices', REJECTING),
      ])
        .then(([offline, lowBattery, rejecting]) => {
          if (!active) return;
          setLists({
            offline: offline.items,
            lowBattery: lowBattery.items,
            rejecting: rejecting.items,
          });
          setError(null);
        })
        .catch((e: unknown) => active && setError(errorText(e, t)));
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
      <DeviceTable testId="maintenance-offline" title={t('maint.offline')} devices={lists?.offline} query={OFFLINE} />
      <DeviceTable
        testId="maintenance-battery"
        title={t('maint.lowBattery', { n: LOW_BATTERY_PERCENT })}
        devices={lists?.lowBattery}
        query={LOW_BATTERY}
      />
      <DeviceTable
        testId="maintenance-rejecting"
        title={t('maint.rejecting')}
        devices={lists?.rejecting}
        query={REJECTING}
        showRejection
      />
      <section className="panel">
        <header className="panel-head">
          <h2>{t('maint.allDevices')}</h2>
          <span className="grow" />
          <ExportButton path="/devices" fallbackName="devices" />
        </header>
      </section>
    </div>
  );
}

function DeviceTable({
  title,
  devices,
  showRejection,
  testId,
  query,
}: {
  title: string;
  devices?: DeviceView[];
  showRejection?: boolean;
  testId: string;
  /** The filter of this list on `/devices`, for its export. */
  query: Record<string, string | number | boolean>;
}) {
  const { t } = useI18n();
  const fmt = useTimeFormat();
  const directory = useDirectory();
  return (
    <section className="panel" data-testid={testId}>
      <header className="panel-head">
        <h2>{title}</h2>
        <span className="count-pill">{devices?.length ?? '…'}</span>
        <span className="grow" />
        {devices && devices.length > 0 && <ExportButton path="/devices" query={query} fallbackName="devices" />}
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

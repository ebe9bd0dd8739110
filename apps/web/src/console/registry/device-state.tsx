import { useI18n } from '../../i18n/i18n';
import { useTimeFormat } from '../../time/time-format';
import { LOW_BATTERY_PERCENT, type DeviceView } from './registry-types';

export function OnlineDot({ device }: { device: DeviceView }) {
  const { t } = useI18n();
  const state = !device.enabled ? 'disabled' : device.online ? 'online' : 'offline';
  return (
    <span className={`dev-state dev-${state}`} data-testid="device-online" data-state={state}>
      <span className="dot" aria-hidden="true" />
      {t(`device.state.${state}`)}
    </span>
  );
}

export function Battery({ percent }: { percent: number | null }) {
  if (percent === null || percent === undefined) return <span className="muted">—</span>;
  const low = percent <= LOW_BATTERY_PERCENT;
  return (
    <span className={`battery ${low ? 'battery-low' : ''}`} title={`${percent}%`}>
      <span className="battery-bar" aria-hidden="true">
        <span style={{ width: `${Math.max(4, Math.min(100, percent))}%` }} />
      </span>
      {percent}%
    </span>
  );
}

/** The resident's devices with online and battery state (alert detail). */
export function DeviceStateList({ devices, highlightId }: { devices: DeviceView[]; highlightId?: string | null }) {
  const { t } = useI18n();
  const fmt = useTimeFormat();
  if (devices.length === 0) return <p className="muted">{t('common.none')}</p>;
  return (
    <table className="grid grid-compact" data-testid="alert-devices">
      <tbody>
        {devices.map((d) => (
          <tr key={d.id} className={d.id === highlightId ? 'is-trigger' : ''}>
            <td className="strong">
              {t(`deviceType.${d.type}`)}
              {d.id === highlightId && <span className="tag tag-danger">{t('alert.trigger')}</span>}
            </td>
            <td>
              <OnlineDot device={d} />
            </td>
            <td>
              <Battery percent={d.battery} />
            </td>
            <td className="muted nowrap">{d.lastSeenAt ? fmt.dateTime(d.lastSeenAt) : '—'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

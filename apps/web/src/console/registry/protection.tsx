import type { AlertView, DegradedDevice } from '@anxin/contract';
import { useI18n } from '../../i18n/i18n';
import { useTimeFormat } from '../../time/time-format';
import { Link } from '../console-router';

/** Issue 11: a resident whose safety device is offline or has readings missing is 防护降级. */
export function ProtectionBadge({ devices }: { devices: DegradedDevice[] }) {
  const { t } = useI18n();
  if (devices.length === 0) return null;
  const title = devices.map((d) => `${t(`deviceType.${d.type}`)} ${t(`protection.reason.${d.reason}`)}`).join(' · ');
  return (
    <span className="status-badge flag-badge flag-degraded" data-testid="protection-degraded" title={title}>
      {t('protection.degraded')}
    </span>
  );
}

/** One line per degraded device, for a resident card or a list. */
export function DegradedDeviceList({ devices }: { devices: DegradedDevice[] }) {
  const { t } = useI18n();
  const fmt = useTimeFormat();
  return (
    <ul className="degraded-devices" data-testid="degraded-devices">
      {devices.map((d) => (
        <li key={d.deviceId} data-device-id={d.deviceId} data-reason={d.reason}>
          <b>{t(`deviceType.${d.type}`)}</b> {t(`protection.reason.${d.reason}`)}{' '}
          <span className="muted">{t('protection.since', { time: fmt.dateTime(d.since) })}</span>
        </li>
      ))}
    </ul>
  );
}

export interface DegradedResident {
  residentId: string;
  name: string | null;
  devices: DegradedDevice[];
}

/**
 * Residents with protection degraded, from the live alerts in scope: the platform
 * sends every active alert of a resident again whenever that resident's protection
 * changes, so any of them carries the current state.
 */
export function degradedResidents(alerts: AlertView[]): DegradedResident[] {
  const byResident = new Map<string, DegradedResident>();
  for (const a of alerts) {
    if (a.status === 'resolved' || byResident.has(a.residentId)) continue;
    byResident.set(a.residentId, {
      residentId: a.residentId,
      name: a.residentName ?? null,
      devices: a.degradedDevices ?? [],
    });
  }
  return [...byResident.values()].filter((r) => r.devices.length > 0);
}

/** The strip on the alert board and the maintenance page: who is not fully protected right now. */
export function DegradedResidentsStrip({
  alerts,
  residentName,
}: {
  alerts: AlertView[];
  residentName: (id: string) => string;
}) {
  const { t } = useI18n();
  const residents = degradedResidents(alerts);
  if (residents.length === 0) return null;
  return (
    <div className="degraded-strip" role="status" data-testid="protection-strip">
      <span className="status-badge flag-badge flag-degraded">{t('protection.degraded')}</span>
      {residents.map((r) => (
        <span key={r.residentId} className="degraded-resident" data-resident-id={r.residentId}>
          <Link to={`/residents/${r.residentId}`}>{r.name ?? residentName(r.residentId)}</Link>
          <span className="muted">
            {' '}
            ({r.devices.map((d) => `${t(`deviceType.${d.type}`)} ${t(`protection.reason.${d.reason}`)}`).join('、')})
          </span>
        </span>
      ))}
    </div>
  );
}

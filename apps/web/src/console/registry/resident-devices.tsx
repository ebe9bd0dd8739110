import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { DEVICE_TYPES, type DeviceType } from '@anxin/contract';
import { useI18n } from '../../i18n/i18n';
import { useSignedIn } from '../../session/session';
import { useTimeFormat } from '../../time/time-format';
import { ErrorLine } from '../../ui/dialog';
import { errorText } from '../../session/api-errors';
import { Battery, OnlineDot } from './device-state';
import type { DeviceView, ProvisionedDevice } from './registry-types';
import { SecretDialog } from './secret-dialog';

/** A resident's devices: provision (secret shown once), disable/enable, rotate the secret. */
export function ResidentDevices({ residentId }: { residentId: string }) {
  const { t } = useI18n();
  const fmt = useTimeFormat();
  const { api } = useSignedIn();
  const [devices, setDevices] = useState<DeviceView[] | null>(null);
  const [type, setType] = useState<DeviceType>('sos_button');
  const [serial, setSerial] = useState('');
  const [secret, setSecret] = useState<ProvisionedDevice | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(() => {
    api
      .list<DeviceView>('/devices', { residentId })
      .then((r) => setDevices(r.items))
      .catch((e: unknown) => setError(errorText(e, t)));
  }, [api, residentId, t]);
  useEffect(load, [load]);

  const run = (call: Promise<unknown>) => {
    setBusy(true);
    setError(null);
    call
      .then(load)
      .catch((e: unknown) => setError(errorText(e, t)))
      .finally(() => setBusy(false));
  };

  const provision = (event: FormEvent) => {
    event.preventDefault();
    run(
      api
        .post<ProvisionedDevice>(
          '/devices',
          serial.trim() ? { type, residentId, serial: serial.trim() } : { type, residentId },
        )
        .then((d) => {
          setSecret(d);
          setSerial('');
        }),
    );
  };

  const rotate = (d: DeviceView) => {
    if (!window.confirm(t('device.rotateConfirm'))) return;
    run(api.post<ProvisionedDevice>(`/devices/${d.id}/rotate-secret`).then(setSecret));
  };

  return (
    <section className="card" data-testid="resident-devices">
      <h3>{t('device.title')}</h3>
      {devices === null ? (
        <p className="muted">{t('common.loading')}</p>
      ) : devices.length === 0 ? (
        <p className="muted">{t('device.none')}</p>
      ) : (
        <div className="table-wrap">
          <table className="grid grid-compact">
            <thead>
              <tr>
                <th>{t('device.type')}</th>
                <th>{t('device.id')}</th>
                <th>{t('device.state')}</th>
                <th>{t('device.battery')}</th>
                <th>{t('device.lastSeen')}</th>
                <th className="num">{t('device.rejected')}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {devices.map((d) => (
                <tr key={d.id} data-testid="device-row" data-device-id={d.id} data-enabled={d.enabled}>
                  <td className="strong">{t(`deviceType.${d.type}`)}</td>
                  <td className="mono" title={d.id}>
                    {d.id.slice(0, 8)}
                    {d.serial && <span className="muted"> · {d.serial}</span>}
                  </td>
                  <td>
                    <OnlineDot device={d} />
                  </td>
                  <td>
                    <Battery percent={d.battery} />
                  </td>
                  <td className="muted nowrap">{d.lastSeenAt ? fmt.dateTime(d.lastSeenAt) : '—'}</td>
                  <td className="num">
                    {d.rejectedMessages > 0 ? <span className="tag tag-warn">{d.rejectedMessages}</span> : 0}
                  </td>
                  <td className="row-actions">
                    <button
                      type="button"
                      className="btn btn-sm"
                      disabled={busy}
                      data-testid="device-toggle"
                      onClick={() => run(api.patch(`/devices/${d.id}`, { enabled: !d.enabled }))}
                    >
                      {d.enabled ? t('device.disable') : t('device.enable')}
                    </button>
                    <button
                      type="button"
                      className="btn btn-sm"
                      disabled={busy}
                      data-testid="device-rotate"
                      onClick={() => rotate(d)}
                    >
                      {t('device.rotate')}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <form className="inline-form" onSubmit={provision} data-testid="provision-form">
        <label className="field">
          <span>{t('device.type')}</span>
          <select value={type} onChange={(e) => setType(e.target.value as DeviceType)} data-testid="provision-type">
            {DEVICE_TYPES.map((d) => (
              <option key={d} value={d}>
                {t(`deviceType.${d}`)}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>{t('device.serial')}</span>
          <input
            value={serial}
            maxLength={100}
            onChange={(e) => setSerial(e.target.value)}
            data-testid="provision-serial"
          />
        </label>
        <button type="submit" className="btn btn-primary" disabled={busy} data-testid="provision-submit">
          {t('device.provision')}
        </button>
      </form>
      <ErrorLine error={error} />
      {secret && <SecretDialog device={secret} onClose={() => setSecret(null)} />}
    </section>
  );
}

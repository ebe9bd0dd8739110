import { useEffect, useState } from 'react';
import { deviceTopic } from '@anxin/contract';
import { useI18n } from '../../i18n/i18n';
import { Dialog } from '../../ui/dialog';
import type { ProvisionedDevice } from './registry-types';

/** CONTRACT §2: client id = username = device id, password = secret, four topics under the device. */
export function mqttSnippet(device: ProvisionedDevice, host: string, port: number | null): string {
  return [
    `host:      ${host}`,
    `port:      ${port ?? 1883}`,
    `clientId:  ${device.id}`,
    `username:  ${device.id}`,
    `password:  ${device.secret}`,
    `telemetry: ${deviceTopic(device.id, 'telemetry')}`,
    `events:    ${deviceTopic(device.id, 'events')}`,
    `status:    ${deviceTopic(device.id, 'status')}  (retained)`,
    `commands:  ${deviceTopic(device.id, 'commands')}  (subscribe)`,
  ].join('\n');
}

/** The platform's MQTT port, from its health answer (the platform may listen on any port). */
function usePlatformMqttPort(): number | null {
  const [port, setPort] = useState<number | null>(null);
  useEffect(() => {
    let active = true;
    fetch('/api/v1/health')
      .then((res) => res.json() as Promise<{ mqttPort?: unknown }>)
      .then((body) => active && typeof body.mqttPort === 'number' && setPort(body.mqttPort))
      .catch(() => undefined);
    return () => {
      active = false;
    };
  }, []);
  return port;
}

/** The secret is in this answer only: shown once, with a copyable connection snippet. */
export function SecretDialog({ device, onClose }: { device: ProvisionedDevice; onClose: () => void }) {
  const { t } = useI18n();
  const [copied, setCopied] = useState(false);
  const mqttPort = usePlatformMqttPort();
  const snippet = mqttSnippet(device, window.location.hostname, mqttPort);
  const copy = () => {
    const done = () => {
      setCopied(true);
      window.setTimeout(() => setCopied(false), 2000);
    };
    if (navigator.clipboard?.writeText) {
      navigator.clipboard.writeText(snippet).then(done, () => selectSnippet());
    } else {
      selectSnippet();
    }
  };
  const selectSnippet = () => {
    const el = document.getElementById('mqtt-snippet');
    if (!el) return;
    const range = document.createRange();
    range.selectNodeContents(el);
    window.getSelection()?.removeAllRanges();
    window.getSelection()?.addRange(range);
  };
  return (
    <Dialog title={t('secret.title')} onClose={onClose} testId="secret-dialog" wide>
      <p className="warn-box" role="alert">
        {t('secret.once')}
      </p>
      <dl className="facts facts-stacked">
        <div>
          <dt>{t('secret.deviceId')}</dt>
          <dd className="mono" data-testid="secret-device-id">
            {device.id}
          </dd>
        </div>
        <div>
          <dt>{t('secret.secret')}</dt>
          <dd className="mono secret" data-testid="device-secret">
            {device.secret}
          </dd>
        </div>
      </dl>
      <h4>{t('secret.snippet')}</h4>
      <pre id="mqtt-snippet" className="snippet" data-testid="mqtt-snippet" tabIndex={0}>
        {snippet}
      </pre>
      <div className="actions-row">
        <button type="button" className="btn" onClick={copy} data-testid="secret-copy">
          {copied ? t('secret.copied') : t('secret.copy')}
        </button>
        <button type="button" className="btn btn-primary" onClick={onClose} data-testid="secret-done">
          {t('secret.done')}
        </button>
      </div>
    </Dialog>
  );
}

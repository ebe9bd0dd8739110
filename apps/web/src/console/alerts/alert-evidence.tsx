import {
  type AlertView,
  DEVICE_EVENT_TYPES,
  DEVICE_TYPES,
  type DeviceEventType,
  type DeviceType,
} from '@anxin/contract';
import { useI18n, type Translate } from '../../i18n/i18n';
import { type TimeFormat, useTimeFormat } from '../../time/time-format';
import { durationText, geoLink, groupRoutine, num, triggerSentence } from './alert-evidence-text';
import type { AlertEvent } from './alert-types';

const READING_KEYS = [
  'heartRate',
  'respirationRate',
  'spo2',
  'battery',
  'threshold',
  'source',
  'inBed',
  'movement',
  'windowSeconds',
  'since',
  'lastSeenAt',
  'heartbeatSeconds',
  'missingSince',
  'deviceType',
  'deviceId',
  'lat',
  'lon',
  'safeZone',
  'distanceM',
] as const;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

/** Known reading names are translated; anything else the rules add is shown as sent. */
function readingLabel(t: Translate, key: string): string {
  return (READING_KEYS as readonly string[]).includes(key) ? t(`reading.${key as (typeof READING_KEYS)[number]}`) : key;
}

/** A trigger reading in words (issue 16): units, device names and times in the platform's zone, never raw JSON. */
function describe(t: Translate, fmt: TimeFormat, key: string, value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'boolean') return t(value ? 'common.yes' : 'common.no');
  if (typeof value === 'string') {
    if (ISO_TIME.test(value)) return fmt.full(value);
    if ((key === 'source' || key === 'deviceType') && (DEVICE_TYPES as readonly string[]).includes(value))
      return t(`deviceType.${value as DeviceType}`);
    return key === 'deviceId' ? value.slice(0, 8) : value;
  }
  if (typeof value === 'number') {
    if (key === 'heartRate' || key === 'respirationRate') return t('reading.perMinute', { n: value });
    if (key === 'windowSeconds' || key === 'heartbeatSeconds') return durationText(t, value);
    if (key === 'battery' || key === 'spo2') return `${value}%`;
    if (key === 'distanceM') return t('reading.metres', { n: value });
    return String(value);
  }
  const zone = value as { lat?: number; lon?: number; radiusM?: number };
  if (key === 'safeZone' && typeof zone.radiusM === 'number') return t('reading.zone', { m: zone.radiusM });
  return JSON.stringify(value);
}

export function TriggerReadings({ alert }: { alert: Pick<AlertView, 'kind' | 'readings'> }) {
  const { t } = useI18n();
  const fmt = useTimeFormat();
  const readings = alert.readings ? Object.entries(alert.readings) : [];
  if (readings.length === 0) return null;
  const sentence = triggerSentence(t, alert);
  const lat = num(alert.readings?.lat);
  const lon = num(alert.readings?.lon);
  return (
    <div className="readings" data-testid="alert-readings">
      <h4>{t('alert.readings')}</h4>
      {sentence && (
        <p className="trigger-sentence strong" data-testid="alert-trigger">
          {sentence}
        </p>
      )}
      {lat !== null && lon !== null && (
        <a className="map-link" href={geoLink(lat, lon)} data-testid="alert-map-link">
          {t('trigger.openMap')}
        </a>
      )}
      <dl className="facts facts-inline">
        {readings
          .filter(([key]) => key !== 'lat' && key !== 'lon')
          .map(([key, value]) => (
            <div key={key}>
              <dt>{readingLabel(t, key)}</dt>
              <dd>{describe(t, fmt, key, value)}</dd>
            </div>
          ))}
      </dl>
    </div>
  );
}

export function EventTimeline({ events }: { events: AlertEvent[] }) {
  const { t } = useI18n();
  const fmt = useTimeFormat();
  if (events.length === 0) return <p className="muted">{t('common.none')}</p>;
  const typeName = (type: string) =>
    (DEVICE_EVENT_TYPES as string[]).includes(type) ? t(`eventType.${type as DeviceEventType}`) : type;
  return (
    <ol className="timeline" data-testid="alert-events">
      {groupRoutine(events).map(({ first, last, count }) => (
        <li key={first.id} data-testid="alert-event" data-count={count}>
          <time>
            {count > 1 ? `${fmt.time(last.receivedAt)}–${fmt.time(first.receivedAt)}` : fmt.time(first.receivedAt)}
          </time>
          <span className="strong">{t('alert.event', { type: typeName(first.type) })}</span>
          {count > 1 && <span className="tag">{t('alert.eventRun', { n: count })}</span>}
          <span className="muted mono">{first.deviceId.slice(0, 8)}</span>
        </li>
      ))}
    </ol>
  );
}

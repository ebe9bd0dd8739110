import type { AlertView } from '@anxin/contract';
import type { Translate } from '../../i18n/i18n';
import type { AlertEvent } from './alert-types';

/** 300 → 5 分钟, 20 → 20 秒, 7200 → 2 小时. */
export function durationText(t: Translate, seconds: number): string {
  if (seconds >= 3600 && seconds % 3600 === 0) return t('duration.hours', { n: seconds / 3600 });
  if (seconds >= 60 && seconds % 60 === 0) return t('duration.minutes', { n: seconds / 60 });
  return t('history.seconds', { n: seconds });
}

export const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** The alert's trigger as one sentence a person reads first: 心率 128 次/分 持续 5 分钟. */
export function triggerSentence(t: Translate, alert: Pick<AlertView, 'kind' | 'readings'>): string | null {
  const r = alert.readings ?? {};
  const window = num(r.windowSeconds);
  const lasting = window === null ? '' : t('trigger.lasting', { d: durationText(t, window) });
  const hr = num(r.heartRate);
  if (alert.kind === 'abnormal_heart_rate' && hr !== null) return t('trigger.heartRate', { n: hr }) + lasting;
  const rr = num(r.respirationRate);
  if (alert.kind === 'abnormal_respiration' && rr !== null)
    return (rr === 0 ? t('trigger.apnoea') : t('trigger.respiration', { n: rr })) + lasting;
  const zone = r.safeZone as { radiusM?: number } | undefined;
  const distance = num(r.distanceM);
  if (alert.kind === 'left_safe_zone' && distance !== null && typeof zone?.radiusM === 'number')
    return t('trigger.safeZone', { d: distance, r: zone.radiusM });
  return null;
}

/** A map app's link for a position (no online tiles): `geo:` opens the phone's or desktop's map. */
export function geoLink(lat: number, lon: number, label?: string): string {
  return `geo:${lat},${lon}?q=${lat},${lon}${label ? `(${encodeURIComponent(label)})` : ''}`;
}

/** Routine events a home sends all day; a run of one of them is one line, not a flood. */
const ROUTINE: readonly string[] = ['motion', 'bed_exit', 'bed_enter', 'door_open', 'door_close', 'command_ack'];

export interface EventRun {
  first: AlertEvent;
  last: AlertEvent;
  count: number;
}

/** Consecutive routine events of one type and device folded into runs (events newest first, as listed). */
export function groupRoutine(events: AlertEvent[]): EventRun[] {
  const runs: EventRun[] = [];
  for (const e of events) {
    const run = runs[runs.length - 1];
    if (run && ROUTINE.includes(e.type) && run.first.type === e.type && run.first.deviceId === e.deviceId) {
      run.last = e;
      run.count += 1;
    } else runs.push({ first: e, last: e, count: 1 });
  }
  return runs;
}

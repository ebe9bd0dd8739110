import type { MessageKey, Translate } from '../../i18n/i18n';
import { zhCN } from '../../i18n/zh-CN';
import { groupRoutine, triggerSentence } from './alert-evidence-text';
import type { AlertEvent } from './alert-types';

const t: Translate = (key: MessageKey, params) =>
  zhCN[key].replace(/\{(\w+)\}/g, (w, n: string) => (params && n in params ? String(params[n]) : w));

const event = (id: number, type: string, deviceId = 'dev-a'): AlertEvent => ({
  id: String(id),
  deviceId,
  type,
  deviceTs: '',
  receivedAt: new Date(Date.UTC(2026, 10, 30, 8, 0, 60 - id)).toISOString(),
  payload: null,
});

describe('alert evidence in words', () => {
  it('says what triggered a vitals or safe-zone alert as one sentence', () => {
    expect(triggerSentence(t, { kind: 'abnormal_heart_rate', readings: { heartRate: 128, windowSeconds: 300 } })).toBe(
      '心率 128 次/分，持续 5 分钟',
    );
    expect(
      triggerSentence(t, { kind: 'abnormal_respiration', readings: { respirationRate: 0, windowSeconds: 20 } }),
    ).toBe('呼吸暂停，持续 20 秒');
    expect(
      triggerSentence(t, {
        kind: 'left_safe_zone',
        readings: { lat: 40.86, lon: 111.75, distanceM: 2068, safeZone: { lat: 40.84, lon: 111.75, radiusM: 300 } },
      }),
    ).toBe('离开安全区域：距中心 2068 米（安全半径 300 米）');
    expect(triggerSentence(t, { kind: 'sos', readings: { source: 'sos_button' } })).toBeNull();
  });

  it('folds a run of routine events of one device into one line, never an emergency', () => {
    const events = [
      event(1, 'motion'),
      event(2, 'motion'),
      event(3, 'motion'),
      event(4, 'sos'),
      event(5, 'sos'),
      event(6, 'motion', 'dev-b'),
      event(7, 'bed_exit'),
      event(8, 'bed_exit'),
    ];
    expect(groupRoutine(events).map((r) => [r.first.type, r.first.deviceId, r.count])).toEqual([
      ['motion', 'dev-a', 3],
      ['sos', 'dev-a', 1],
      ['sos', 'dev-a', 1],
      ['motion', 'dev-b', 1],
      ['bed_exit', 'dev-a', 2],
    ]);
  });
});

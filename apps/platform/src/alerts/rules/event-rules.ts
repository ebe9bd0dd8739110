import type { AlertKind, DeviceType, Severity } from '@anxin/contract';
import { isInNightWindow } from './night-window';
import type { RuleSettings } from './rule-settings';

export interface RaiseDecision {
  action: 'raise';
  kind: AlertKind;
  severity: Severity;
  readings?: Record<string, unknown>;
}

export type EventDecision =
  | RaiseDecision
  /** `sos_cancel`: resolve the resident's open SOS or fall raised within its cancel window. */
  | { action: 'cancel'; windows: Partial<Record<'sos' | 'fall', number>> }
  | { action: 'await-bed-return'; delaySeconds: number }
  | { action: 'activity' };

const ACTIVITY_EVENTS = new Set(['motion', 'door_open', 'door_close', 'bed_exit', 'bed_enter']);

/**
 * The alert a life-safety event raises: the same whatever the resident's settings
 * or the hour, so it is known before the event is stored (issue 13: an SOS is
 * stored and raised by one statement). Null for every other type.
 */
export function lifeSafetyRaise(type: string, deviceType: DeviceType): RaiseDecision | null {
  switch (type) {
    case 'sos':
      return { action: 'raise', kind: 'sos', severity: 'critical', readings: { source: deviceType } };
    case 'fall':
      return { action: 'raise', kind: 'fall', severity: 'critical' };
    case 'smoke':
      return { action: 'raise', kind: 'smoke', severity: 'critical' };
    case 'gas':
      return { action: 'raise', kind: 'gas', severity: 'critical' };
    case 'water_leak':
      return { action: 'raise', kind: 'water_leak', severity: 'high' };
    default:
      return null;
  }
}

/** What one stored device event means for alerts. Pure: the clock and settings are passed in. */
export function decideForEvent(
  event: { type: string; battery?: number },
  deviceType: DeviceType,
  settings: RuleSettings,
  receivedAt: Date,
  timezone: string,
): EventDecision[] {
  const lifeSafety = lifeSafetyRaise(event.type, deviceType);
  if (lifeSafety) return [lifeSafety];
  const decisions: EventDecision[] = [];
  if (ACTIVITY_EVENTS.has(event.type)) decisions.push({ action: 'activity' });
  const night = () => isInNightWindow(receivedAt, settings.nightWindow, timezone);
  switch (event.type) {
    case 'sos_cancel':
      decisions.push({
        action: 'cancel',
        windows: { sos: settings.sosCancelSeconds, fall: settings.fallConfirmSeconds },
      });
      break;
    case 'low_battery':
      decisions.push({
        action: 'raise',
        kind: 'low_battery',
        severity: 'low',
        readings: event.battery === undefined ? {} : { battery: event.battery },
      });
      break;
    case 'tamper':
      decisions.push({ action: 'raise', kind: 'tamper', severity: 'medium' });
      break;
    case 'bed_exit':
      if (night()) decisions.push({ action: 'await-bed-return', delaySeconds: settings.bedReturnSeconds });
      break;
    case 'door_open':
      if (settings.wanderingRisk && night())
        decisions.push({ action: 'raise', kind: 'night_wandering', severity: 'high' });
      break;
  }
  return decisions;
}

import { SEVERITIES, type AlertKind, type AlertView } from '@anxin/contract';

/** Issue 7: low-severity, device-offline and low-battery alerts go to maintenance, not the emergency board. */
const MAINTENANCE_KINDS: readonly AlertKind[] = ['device_offline', 'low_battery', 'reading_missing'];

export function isMaintenanceAlert(alert: AlertView): boolean {
  return alert.severity === 'low' || MAINTENANCE_KINDS.includes(alert.kind);
}

export function isActiveAlert(alert: AlertView): boolean {
  return alert.status !== 'resolved';
}

/** Most severe first, then the longest waiting first. */
export function compareAlerts(a: AlertView, b: AlertView): number {
  const bySeverity = SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity);
  if (bySeverity !== 0) return bySeverity;
  return Date.parse(a.openedAt) - Date.parse(b.openedAt);
}

/**
 * What keeps the alarm sounding: a critical emergency that nobody has acknowledged yet, or an
 * emergency whose order nobody accepted (CONTRACT §3 v1.1: the operator must act again).
 */
export function needsAlarm(alert: AlertView): boolean {
  if (isMaintenanceAlert(alert) || alert.status === 'resolved') return false;
  return (alert.severity === 'critical' && alert.status === 'open') || alert.orderStatus === 'unassigned';
}

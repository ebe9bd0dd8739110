import { SAFETY_DEVICE_TYPES } from '@anxin/contract';

/**
 * Issue 11 (防护降级): SQL for a resident's safety devices that are not protecting
 * them — silent past their heartbeat (`offline_since`) or in bed without vitals
 * past the limit (`reading_missing_alerted_at`) — as a JSON array of
 * `DegradedDevice`. The state is what the supervision sweep keeps on the device
 * rows, so resident and alert views agree with the alerts raised.
 */
export const degradedDevicesSql = (residentIdColumn: string) => `(SELECT coalesce(json_agg(json_build_object(
    'deviceId', d.id, 'type', d.type,
    'reason', CASE WHEN d.offline_since IS NOT NULL THEN 'offline' ELSE 'reading_missing' END,
    'since', coalesce(d.offline_since, d.reading_missing_since)) ORDER BY d.type, d.id), '[]')
  FROM devices d WHERE d.resident_id = ${residentIdColumn} AND d.enabled
    AND d.type IN (${SAFETY_DEVICE_TYPES.map((t) => `'${t}'`).join(', ')})
    AND (d.offline_since IS NOT NULL OR d.reading_missing_alerted_at IS NOT NULL))`;

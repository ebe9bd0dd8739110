import type { DeviceEntity } from './device.entity';

/** CONTRACT §3 `GET /devices/{id}`, plus health details; never the secret hash. */
export function toDeviceView(d: DeviceEntity) {
  return {
    id: d.id,
    type: d.type,
    residentId: d.residentId,
    orgUnitId: d.orgUnitId,
    serial: d.serial,
    enabled: d.enabled,
    online: d.online,
    lastSeenAt: d.lastSeenAt,
    battery: d.battery,
    rejectedMessages: d.rejectedMessages,
    lastRejection: d.lastRejectionReason ? { reason: d.lastRejectionReason, at: d.lastRejectionAt } : null,
    heartbeatIntervalSeconds: d.heartbeatIntervalSeconds,
    createdAt: d.createdAt,
    updatedAt: d.updatedAt,
  };
}
export type DeviceView = ReturnType<typeof toDeviceView>;

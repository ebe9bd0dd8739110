/**
 * One live session per device across processes (issue 14). Every process announces each session it
 * accepts, with the moment its CONNECT arrived; a process holding an older session of that device
 * closes it. The moment matters: announcements travel through Redis, and under load one can arrive
 * after the device has already reconnected here, so a stale one must not close the newer session
 * (aedes' own `new/clients` exchange carries no time, so it cannot tell).
 */
export const SESSION_ANNOUNCEMENTS = '$SYS/+/anxin/sessions';

export function sessionAnnouncementTopic(brokerId: string): string {
  return `$SYS/${brokerId}/anxin/sessions`;
}

export interface SessionAnnouncement {
  deviceId: string;
  /** When the announced session's CONNECT arrived (ms since the epoch). */
  connectedAt: number;
}

export function encodeAnnouncement(announcement: SessionAnnouncement): Buffer {
  return Buffer.from(JSON.stringify(announcement));
}

export function decodeAnnouncement(payload: Buffer): SessionAnnouncement | null {
  try {
    const value = JSON.parse(payload.toString()) as Partial<SessionAnnouncement>;
    return typeof value.deviceId === 'string' && typeof value.connectedAt === 'number'
      ? { deviceId: value.deviceId, connectedAt: value.connectedAt }
      : null;
  } catch {
    return null;
  }
}

/**
 * Whether the session held here gives way to one announced by another process: it began earlier, or
 * in the same millisecond on the process with the greater id (so exactly one of the two stays).
 */
export function announcedSessionIsNewer(
  local: { connectedAt: number; brokerId: string },
  announced: { connectedAt: number; brokerId: string },
): boolean {
  if (announced.brokerId === local.brokerId) return false;
  if (local.connectedAt !== announced.connectedAt) return local.connectedAt < announced.connectedAt;
  return local.brokerId > announced.brokerId;
}

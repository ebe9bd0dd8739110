/**
 * Event types whose alert must never wait behind bulk work (issue 11 §3,
 * issue 13): stored on the life-safety lane and raised by its own rule pass.
 * Spelled out in SQL by alerts/pending-events.repository.ts, whose partial
 * index `device_events_life_safety_idx` has the same predicate.
 */
export const LIFE_SAFETY_EVENT_TYPES = ['sos', 'fall', 'smoke', 'gas', 'water_leak'] as const;

const LIFE_SAFETY = new Set<string>(LIFE_SAFETY_EVENT_TYPES);

export function isLifeSafetyEvent(type: string): boolean {
  return LIFE_SAFETY.has(type);
}

/**
 * Stored by the life-safety writer: the life-safety types and `sos_cancel`. A
 * cancel must be stored after the `sos` it follows from its device, and one
 * serial writer keeps a device's order (two writers could commit them the
 * other way round, and the cancel would find nothing to cancel).
 */
export function isStoredOnLifeSafetyLane(type: string): boolean {
  return LIFE_SAFETY.has(type) || type === 'sos_cancel';
}

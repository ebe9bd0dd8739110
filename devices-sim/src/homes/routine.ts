// What a resident is doing at a simulated minute of the day, and the compressed
// clock that maps wall time to it. Device time (`ts`) always stays real wall
// time: only the routine runs fast, so the platform's rules see real intervals.
import type { Persona } from './persona';

/**
 * - `asleep`: in bed (the mattress reports vitals)
 * - `bathroom`: a night visit, out of bed at home
 * - `awake`: up and about at home (motion, steps)
 * - `walking`: out of the home on the daily walk
 * - `still`: at home, out of bed, not moving (only scenarios use it: inactivity)
 */
export const ACTIVITIES = ['asleep', 'bathroom', 'awake', 'walking', 'still'] as const;
export type Activity = (typeof ACTIVITIES)[number];

export function isInBed(activity: Activity): boolean {
  return activity === 'asleep';
}

export function isAtHome(activity: Activity): boolean {
  return activity !== 'walking';
}

/** Activities in which the resident moves about at home (the motion sensor fires). */
export function isMovingAtHome(activity: Activity): boolean {
  return activity === 'awake' || activity === 'bathroom';
}

const DAY_MIN = 1440;

function within(minute: number, start: number, len: number): boolean {
  return (minute - start + DAY_MIN) % DAY_MIN < len;
}

/** The free (unpinned) routine: sleep, night bathroom visits, the day at home, the daily walk. */
export function activityAt(persona: Persona, minuteOfDay: number): Activity {
  const m = ((minuteOfDay % DAY_MIN) + DAY_MIN) % DAY_MIN;
  for (const visit of persona.bathroomVisits) {
    if (within(m, visit.atMin, visit.lenMin)) return 'bathroom';
  }
  const nightLen = (persona.wakeMin - persona.sleepMin + DAY_MIN) % DAY_MIN;
  if (within(m, persona.sleepMin, nightLen)) return 'asleep';
  if (within(m, persona.walkStartMin, persona.walkLenMin)) return 'walking';
  return 'awake';
}

/** How far through the walk the resident is (0–1), to place them on their loop. */
export function walkProgress(persona: Persona, minuteOfDay: number): number {
  const into = (minuteOfDay - persona.walkStartMin + DAY_MIN) % DAY_MIN;
  return Math.min(1, into / persona.walkLenMin);
}

/**
 * Compressed simulated time: `daySeconds` of wall time make one simulated day,
 * starting at `startMinute` so homes are spread over the day.
 */
export class SimClock {
  private readonly minutesPerMs: number;

  constructor(
    readonly startedAtMs: number,
    readonly startMinute: number,
    readonly daySeconds: number,
  ) {
    this.minutesPerMs = DAY_MIN / (daySeconds * 1000);
  }

  /** Simulated minutes since the start (not wrapped). */
  elapsedMinutes(nowMs: number): number {
    return Math.max(0, nowMs - this.startedAtMs) * this.minutesPerMs;
  }

  minuteOfDay(nowMs: number): number {
    return (this.startMinute + this.elapsedMinutes(nowMs)) % DAY_MIN;
  }

  elapsedDays(nowMs: number): number {
    return this.elapsedMinutes(nowMs) / DAY_MIN;
  }
}

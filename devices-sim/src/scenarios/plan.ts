// Which home plays which scenario, and when. Deterministic from the seed, so a
// failing run can be replayed with the same placement and timing.
import type { Rng } from '../homes/rng';
import { isRunMode, findScenario, MIXED_SCENARIOS } from './catalogue';
import { type ScenarioDef, scenarioLengthSeconds } from './scenario';

/** The scenario of each home (null: the free routine only). */
export function assignScenarios(scenario: string, homes: number): (ScenarioDef | null)[] {
  if (scenario === 'load') return Array.from({ length: homes }, () => null);
  if (scenario === 'mixed') {
    // One round = every mixed scenario once, then one routine-only home as a control.
    const round = MIXED_SCENARIOS.length + 1;
    return Array.from({ length: homes }, (_, i) => MIXED_SCENARIOS[i % round] ?? null);
  }
  if (isRunMode(scenario)) throw new Error(`unhandled run mode ${scenario}`);
  const def = findScenario(scenario);
  if (!def) throw new Error(`unknown scenario ${scenario}`);
  return Array.from({ length: homes }, () => def);
}

/** Keeps the scenarios of `limit` homes picked at random (seeded); the others run the routine only. */
export function limitIncidents(
  assigned: readonly (ScenarioDef | null)[],
  limit: number | null,
  rng: Rng,
): (ScenarioDef | null)[] {
  const playing = assigned.flatMap((s, i) => (s ? [i] : []));
  if (limit === null || limit >= playing.length) return [...assigned];
  for (let i = playing.length - 1; i > 0; i--) {
    const j = Math.floor(rng.range(0, i + 1));
    [playing[i], playing[j]] = [playing[j]!, playing[i]!];
  }
  const kept = new Set(playing.slice(0, limit));
  return assigned.map((s, i) => (kept.has(i) ? s : null));
}

export interface IncidentSlot {
  homeIndex: number;
  scenario: ScenarioDef;
  /** Seconds after the incident phase begins. */
  startAt: number;
  /** The phase is too short for the whole scenario to play out before the run ends. */
  truncated: boolean;
}

/**
 * Spreads the incidents over the incident phase at random (seeded) times, each
 * early enough to finish within it; the grace period after catches late alerts.
 */
export function scheduleIncidents(assigned: (ScenarioDef | null)[], phaseSeconds: number, rng: Rng): IncidentSlot[] {
  const slots: IncidentSlot[] = [];
  assigned.forEach((scenario, homeIndex) => {
    if (!scenario) return;
    const latest = phaseSeconds - scenarioLengthSeconds(scenario);
    slots.push({
      homeIndex,
      scenario,
      startAt: latest > 0 ? Math.round(rng.range(0, latest) * 10) / 10 : 0,
      truncated: latest < 0,
    });
  });
  return slots;
}

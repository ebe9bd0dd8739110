// The scenario library: every incident with the alert it must raise, every
// look-alike that must raise none, and the two run modes built from them.
import { INCIDENTS } from './incidents';
import { LOOKALIKES } from './lookalikes';
import type { ScenarioDef } from './scenario';

/** Incidents first, then look-alikes: `mixed` with MIXED_HOMES homes plays each of MIXED_SCENARIOS once. */
export const SCENARIOS: readonly ScenarioDef[] = [...INCIDENTS, ...LOOKALIKES];
/** What `mixed` plays: all but the scenarios that need the operator's --fault-command. */
export const MIXED_SCENARIOS: readonly ScenarioDef[] = SCENARIOS.filter((s) => !s.needsFault);
/** Homes for one `mixed` round: every mixed scenario once plus a routine-only control home (the --homes default). */
export const MIXED_HOMES = MIXED_SCENARIOS.length + 1;
const FAULT_SCENARIO_NAMES = SCENARIOS.filter((s) => s.needsFault).map((s) => s.name);

export const RUN_MODES = {
  mixed: `every incident and look-alike but ${FAULT_SCENARIO_NAMES.join(', ')}, one per home (plus a routine-only home per round); needs ${MIXED_HOMES} homes for all`,
  load: 'the daily routine only, no incidents: throughput and PUBACK loss; any alert is false',
} as const;
export type RunMode = keyof typeof RUN_MODES;

export const SCENARIO_NAMES: readonly string[] = [...Object.keys(RUN_MODES), ...SCENARIOS.map((s) => s.name)];

export function findScenario(name: string): ScenarioDef | undefined {
  return SCENARIOS.find((s) => s.name === name);
}

export function isRunMode(name: string): name is RunMode {
  return Object.hasOwn(RUN_MODES, name);
}

/** `--help` lines: one per scenario, with what the platform must do. */
export function scenarioHelpLines(): string[] {
  const width = Math.max(...SCENARIO_NAMES.map((n) => n.length)) + 2;
  const line = (name: string, text: string) => `  ${name.padEnd(width)}${text}`;
  return [
    ...Object.entries(RUN_MODES).map(([name, text]) => line(name, text)),
    ...SCENARIOS.map((s) => line(s.name, `${s.expect ? `→ ${s.expect}` : '→ no alert'}: ${s.summary}`)),
  ];
}

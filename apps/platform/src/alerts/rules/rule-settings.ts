import { type CareProfile, RULE_DEFAULTS } from '@anxin/contract';

/** Issue defaults; each may be overridden per resident in the care profile (`careProfile.rules`). */
export interface RuleSettings {
  heartRateMin: number;
  heartRateMax: number;
  respirationMin: number;
  respirationMax: number;
  vitalsSustainSeconds: number;
  apnoeaSeconds: number;
  bedReturnSeconds: number;
  inactivitySeconds: number;
  sosCancelSeconds: number;
  fallConfirmSeconds: number;
  /** In bed without heart rate or respiration this long raises reading_missing (CONTRACT §3 Supervision). */
  readingMissingSeconds: number;
  nightWindow: { start: string; end: string };
  wanderingRisk: boolean;
  safeZone: { lat: number; lon: number; radiusM: number } | null;
}

export const DEFAULT_RULE_SETTINGS: RuleSettings = {
  ...RULE_DEFAULTS,
  nightWindow: { start: '22:00', end: '06:00' },
  wanderingRisk: false,
  safeZone: null,
};

export function ruleSettingsFor(profile: CareProfile | null | undefined): RuleSettings {
  const p = profile ?? {};
  return {
    ...DEFAULT_RULE_SETTINGS,
    ...Object.fromEntries(Object.entries(p.rules ?? {}).filter(([, v]) => v !== undefined)),
    nightWindow: p.nightWindow ?? DEFAULT_RULE_SETTINGS.nightWindow,
    wanderingRisk: (p.conditions ?? []).includes('wandering_risk') || (p.conditions ?? []).includes('dementia'),
    safeZone: p.safeZone ?? null,
  };
}

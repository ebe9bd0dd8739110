// Arming: while a run is live, scenario homes get shortened rule windows (care
// profile overrides) and heartbeat intervals; afterwards they get their own
// profile back. Arming after the devices are online, rather than at creation,
// means an idle reused home never sits with a 15 s inactivity rule between runs.
//
// The overrides are laid over the resident's current profile, field by field,
// and taken off again only where the field still holds the simulator's value:
// whatever an operator set, before or during the run, stays (the demo runs
// while people work with these residents).
import { isDeepStrictEqual } from 'node:util';
import type { CareProfile } from '@anxin/contract';
import { mapWithConcurrency } from '../concurrency';
import type { SimApiClient } from './api-client';
import type { ProfileUndo } from './credentials';

export interface HomeArming {
  residentId: string;
  careProfile: CareProfile | null;
  heartbeats: { deviceId: string; seconds: number }[];
}

type Profile = Record<string, unknown> & { rules?: Record<string, unknown>; conditions?: string[] };

/** A copy of JSON data (not structuredClone: its objects may come from another realm, e.g. under jest). */
const cloneJson = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/** The fields an override sets: top-level ones, and `rules.<name>` one by one. */
function fieldsOf(override: CareProfile): [string, unknown][] {
  const fields: [string, unknown][] = [];
  for (const [key, value] of Object.entries(override)) {
    if (key === 'conditions') continue;
    if (key === 'rules' && value) {
      for (const [rule, v] of Object.entries(value)) fields.push([`rules.${rule}`, v]);
    } else fields.push([key, value]);
  }
  return fields;
}

function read(profile: Profile, field: string): unknown {
  return field.startsWith('rules.') ? profile.rules?.[field.slice(6)] : profile[field];
}

function write(profile: Profile, field: string, value: unknown): void {
  if (!field.startsWith('rules.')) {
    if (value === undefined) delete profile[field];
    else profile[field] = value;
    return;
  }
  const rules = { ...(profile.rules ?? {}) };
  if (value === undefined) delete rules[field.slice(6)];
  else rules[field.slice(6)] = value;
  if (Object.keys(rules).length > 0) profile.rules = rules;
  else delete profile.rules;
}

async function currentProfile(api: SimApiClient, residentId: string): Promise<Profile> {
  const resident = await api.get<{ careProfile?: CareProfile | null }>(`/api/v1/residents/${residentId}`);
  return cloneJson((resident.careProfile ?? {}) as Profile);
}

/** The current profile with the override laid over it, and what it takes to undo exactly that. */
export function overlay(current: Profile, override: CareProfile): { next: Profile; undo: ProfileUndo } {
  const next = cloneJson(current);
  const undo: ProfileUndo = { before: {}, applied: {}, addedConditions: [] };
  for (const [field, value] of fieldsOf(override)) {
    undo.before[field] = read(current, field) ?? null;
    undo.applied[field] = value;
    write(next, field, value);
  }
  const has = new Set(current.conditions ?? []);
  undo.addedConditions = (override.conditions ?? []).filter((c) => !has.has(c));
  if (undo.addedConditions.length > 0) next.conditions = [...(current.conditions ?? []), ...undo.addedConditions];
  return { next, undo };
}

/** Takes the override off where the profile still holds it; null when nothing is left to change. */
export function takeOff(current: Profile, undo: ProfileUndo): Profile | null {
  const next = cloneJson(current);
  let changed = false;
  for (const [field, applied] of Object.entries(undo.applied)) {
    if (!isDeepStrictEqual(read(current, field), applied)) continue; // changed by someone since: theirs now
    write(next, field, undo.before[field] ?? undefined);
    changed = true;
  }
  const added = new Set(undo.addedConditions);
  if (current.conditions?.some((c) => added.has(c))) {
    next.conditions = current.conditions.filter((c) => !added.has(c));
    if (next.conditions.length === 0) delete next.conditions;
    changed = true;
  }
  return changed ? next : null;
}

/**
 * Arms the homes. `remember` is called with each home's undo before its profile is written, so a run
 * killed mid-way can still be undone by the next one (undoing is a no-op where nothing was written).
 */
export async function armHomes(
  api: SimApiClient,
  arms: HomeArming[],
  remember: (undo: Map<string, ProfileUndo>) => Promise<void> = async () => undefined,
  concurrency = 8,
): Promise<Map<string, ProfileUndo>> {
  const planned = new Map<string, { next: Profile; undo: ProfileUndo }>();
  await mapWithConcurrency(arms, concurrency, async (arm) => {
    if (arm.careProfile)
      planned.set(arm.residentId, overlay(await currentProfile(api, arm.residentId), arm.careProfile));
  });
  const undos = new Map([...planned].map(([id, p]) => [id, p.undo]));
  await remember(undos);
  await mapWithConcurrency(arms, concurrency, async (arm) => {
    const plan = planned.get(arm.residentId);
    if (plan) await api.patch(`/api/v1/residents/${arm.residentId}`, { careProfile: plan.next });
    for (const hb of arm.heartbeats) {
      await api.patch(`/api/v1/devices/${hb.deviceId}`, { heartbeatIntervalSeconds: hb.seconds });
    }
  });
  return undos;
}

/** Takes the overrides off (where still in place) and restores the device types' default heartbeats. */
export async function disarmHomes(
  api: SimApiClient,
  undos: Readonly<Record<string, ProfileUndo>>,
  deviceIds: string[],
  concurrency = 8,
): Promise<void> {
  await mapWithConcurrency(Object.entries(undos), concurrency, async ([id, undo]) => {
    const next = takeOff(await currentProfile(api, id), undo);
    if (next) await api.patch(`/api/v1/residents/${id}`, { careProfile: next });
  });
  await mapWithConcurrency(deviceIds, concurrency, (id) =>
    api.patch(`/api/v1/devices/${id}`, { heartbeatIntervalSeconds: null }),
  );
}

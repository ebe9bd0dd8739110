// Provisioning through the HTTP API (CONTRACT §3): an org unit for the run,
// then one resident per home and the home's devices. Reused credentials are
// topped up: more homes than the file has, or a device type a scenario needs.
import type { CareProfile, DeviceType, LoginResponse } from '@anxin/contract';
import { mapWithConcurrency } from '../concurrency';
import { randomHomeLocation } from '../homes/persona';
import { createRng } from '../homes/rng';
import { ApiError, type SimApiClient } from './api-client';
import { CredentialsFileError, type DeviceCredentials, type SimCredentials } from './credentials';
import { residentDetails } from './names';

/** What every simulated resident has while no scenario is armed: the platform's default rules. */
export const NORMAL_CARE_PROFILE: CareProfile = { conditions: ['lives_alone'] };

export interface ProvisionOptions {
  homes: number;
  /** Device types home `i` must have (the mix plus whatever its scenario needs). */
  deviceTypesFor(homeIndex: number): DeviceType[];
  /** `--org-unit`: place new homes here instead of creating a community. */
  orgUnitId: string | null;
  seed: number;
  concurrency: number;
  log(line: string): void;
  onProgress?(done: number, total: number): void;
}

export interface ProvisionResult {
  credentials: SimCredentials;
  createdResidents: number;
  createdDevices: number;
}

interface Created {
  id: string;
}

export async function provisionHomes(
  api: SimApiClient,
  login: LoginResponse,
  existing: SimCredentials | null,
  opts: ProvisionOptions,
): Promise<ProvisionResult> {
  const orgUnitId = opts.orgUnitId ?? existing?.orgUnitId ?? (await createCommunity(api, login, opts));
  const credentials: SimCredentials = existing
    ? { ...existing, residents: [...existing.residents], devices: [...existing.devices] }
    : { version: 1, api: api.baseUrl, orgUnitId, createdAt: new Date().toISOString(), residents: [], devices: [] };

  const rng = createRng(opts.seed).fork('provisioning');
  const missingHomes = Math.max(0, opts.homes - credentials.residents.length);
  const firstNew = credentials.residents.length;
  let done = 0;
  const total = missingHomes + countMissingDevices(credentials, opts);
  const tick = () => opts.onProgress?.(++done, total);

  const residents = await mapWithConcurrency(
    Array.from({ length: missingHomes }, (_, i) => firstNew + i),
    opts.concurrency,
    async (index) => {
      const homeRng = rng.fork(`home-${index}`);
      const details = residentDetails(homeRng, index);
      const created = await api.post<Created>('/api/v1/residents', {
        ...details,
        orgUnitId,
        careProfile: NORMAL_CARE_PROFILE,
      });
      tick();
      return { id: created.id, name: details.name, orgUnitId, home: randomHomeLocation(homeRng) };
    },
  );
  credentials.residents.push(...residents);

  const wanted: { residentId: string; type: DeviceType }[] = [];
  credentials.residents.slice(0, opts.homes).forEach((resident, index) => {
    const have = new Set(credentials.devices.filter((d) => d.residentId === resident.id).map((d) => d.type));
    for (const type of new Set(opts.deviceTypesFor(index))) {
      if (!have.has(type)) wanted.push({ residentId: resident.id, type });
    }
  });
  const devices = await mapWithConcurrency(wanted, opts.concurrency, async ({ residentId, type }) => {
    const created = await api.post<Created & { secret: string }>('/api/v1/devices', { type, residentId });
    tick();
    const device: DeviceCredentials = { id: created.id, type, secret: created.secret, residentId };
    return device;
  });
  credentials.devices.push(...devices);
  return { credentials, createdResidents: residents.length, createdDevices: devices.length };
}

function countMissingDevices(credentials: SimCredentials, opts: ProvisionOptions): number {
  let missing = 0;
  for (let index = 0; index < opts.homes; index++) {
    const resident = credentials.residents[index];
    const have = new Set(credentials.devices.filter((d) => d.residentId === resident?.id).map((d) => d.type));
    for (const type of new Set(opts.deviceTypesFor(index))) if (!have.has(type)) missing += 1;
  }
  return missing;
}

/**
 * A community for this run's homes under the user's own unit. Only an admin may
 * create org units; an operator's homes go into its own unit instead.
 */
async function createCommunity(api: SimApiClient, login: LoginResponse, opts: ProvisionOptions): Promise<string> {
  const stamp = new Date().toISOString().slice(0, 16).replace('T', ' ');
  try {
    const unit = await api.post<Created>('/api/v1/org-units', {
      name: `模拟社区 ${stamp} #${opts.seed}`,
      kind: 'community',
      parentId: login.user.orgUnitId,
    });
    opts.log(`created community ${unit.id} under org unit ${login.user.orgUnitId}`);
    return unit.id;
  } catch (error) {
    if (error instanceof ApiError && (error.status === 403 || error.status === 400)) {
      opts.log(`cannot create a community (${error.message}); placing homes in org unit ${login.user.orgUnitId}`);
      return login.user.orgUnitId;
    }
    throw error;
  }
}

/** Fails early, with a way out, when a reused credentials file belongs to another platform. */
export async function verifyCredentials(api: SimApiClient, credentials: SimCredentials, file: string): Promise<void> {
  const first = credentials.residents[0];
  if (!first) return;
  try {
    await api.get(`/api/v1/residents/${first.id}`);
  } catch (error) {
    if (error instanceof ApiError && (error.status === 404 || error.status === 403)) {
      throw new CredentialsFileError(
        `${file}: resident ${first.id} is not known to ${api.baseUrl} (or not in your scope); ` +
          'delete the file or pass another --credentials to provision afresh',
      );
    }
    throw error;
  }
}

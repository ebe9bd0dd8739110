// Before a run: log in, provision or reuse the homes, and repair what a killed
// earlier run may have left behind (shortened rules still armed).
import type { LoginResponse } from '@anxin/contract';
import type { Clock } from '../clock';
import { mapWithConcurrency } from '../concurrency';
import { disarmHomes } from '../provisioning/arming';
import type { SimApiClient } from '../provisioning/api-client';
import {
  homesOf,
  loadCredentials,
  saveCredentials,
  type HomeCredentials,
  type SimCredentials,
} from '../provisioning/credentials';
import { NORMAL_CARE_PROFILE, provisionHomes, verifyCredentials } from '../provisioning/provision';
import type { ScenarioDef } from '../scenarios/scenario';
import { UsageError, type SimOptions } from './options';

export interface Prepared {
  login: LoginResponse;
  credentials: SimCredentials;
  /** Where credentials are kept (null: not saved, homes cannot be reused). */
  credentialsFile: string | null;
  homes: HomeCredentials[];
}

/** `--credentials`, or next to the report, so a run can always be repeated on the same homes. */
export function credentialsPathFor(opts: Pick<SimOptions, 'credentials' | 'report'>): string | null {
  if (opts.credentials) return opts.credentials;
  if (opts.report) return `${opts.report.replace(/\.json$/i, '')}.credentials.json`;
  return null;
}

export async function prepareHomes(
  api: SimApiClient,
  opts: SimOptions,
  assigned: readonly (ScenarioDef | null)[],
  clock: Clock,
  log: (line: string) => void,
): Promise<Prepared> {
  const login = await api.login(opts.username, opts.password);
  if (login.user.role === 'caregiver') {
    throw new UsageError(`--username ${opts.username} is a caregiver; the simulator needs an admin or operator`);
  }
  const credentialsFile = credentialsPathFor(opts);
  const existing = opts.credentials ? await loadCredentials(opts.credentials) : null;
  if (existing && opts.credentials) {
    if (existing.api !== opts.api)
      log(`note: ${opts.credentials} was made for ${existing.api}, using it with ${opts.api}`);
    await verifyCredentials(api, existing, opts.credentials);
    await restoreLeftovers(api, existing, opts.credentials, log);
  }

  const started = clock();
  const result = await provisionHomes(api, login, existing, {
    homes: opts.homes,
    deviceTypesFor: (i) => [...opts.mix, ...(assigned[i]?.devices ?? [])],
    orgUnitId: opts.orgUnitId,
    seed: opts.seed,
    concurrency: opts.provisionConcurrency,
    log,
  });
  const { credentials } = result;
  if (result.createdResidents + result.createdDevices > 0) {
    log(
      `provisioned ${result.createdResidents} residents and ${result.createdDevices} devices ` +
        `in ${((clock() - started) / 1000).toFixed(1)} s`,
    );
  }
  if (credentialsFile && (result.createdResidents + result.createdDevices > 0 || !existing)) {
    await saveCredentials(credentialsFile, credentials);
    log(`credentials saved to ${credentialsFile} (reuse with --credentials ${credentialsFile})`);
  }
  const homes = homesOf(credentials, opts.homes);
  return { login, credentials, credentialsFile, homes };
}

/** A run killed before it disarmed leaves short rule windows armed; take them off first. */
async function restoreLeftovers(
  api: SimApiClient,
  credentials: SimCredentials,
  file: string,
  log: (line: string) => void,
): Promise<void> {
  const armed = credentials.armed ?? [];
  if (armed.length === 0) return;
  const devices = credentials.devices.filter((d) => armed.includes(d.residentId)).map((d) => d.id);
  if (credentials.armedProfiles) {
    await disarmHomes(api, credentials.armedProfiles, devices);
  } else {
    // A file from a simulator that kept no undos: the normal profile, as that simulator restored it.
    await mapWithConcurrency(armed, 8, (id) =>
      api.patch(`/api/v1/residents/${id}`, { careProfile: NORMAL_CARE_PROFILE }),
    );
    await disarmHomes(api, {}, devices);
  }
  credentials.armed = [];
  credentials.armedProfiles = {};
  await saveCredentials(file, credentials);
  log(`took the shortened rules off ${armed.length} homes left armed by an earlier run`);
}

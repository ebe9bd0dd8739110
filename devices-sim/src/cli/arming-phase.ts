// When to shorten the scenario homes' rules, and when to restore them.
//
// Most overrides are applied before the devices connect: a platform may cache a
// resident's rules from the first reading (the reference engine does, for 10 s),
// so the first reading must already find the short windows. The inactivity
// override is the exception: a reused home's last movement may be hours old, so
// it is applied only once the resident has been seen moving in this run.
import { sleep, type Clock } from '../clock';
import type { SimHome } from '../fleet/sim-home';
import { armHomes, disarmHomes, type HomeArming } from '../provisioning/arming';
import type { SimApiClient } from '../provisioning/api-client';
import { type ProfileUndo, saveCredentials } from '../provisioning/credentials';
import type { Prepared } from './prepare';

export interface ArmingSplit {
  beforeConnect: HomeArming[];
  afterActivity: HomeArming[];
}

export function splitArming(arms: HomeArming[]): ArmingSplit {
  const needsActivity = (a: HomeArming) => a.careProfile?.rules?.inactivitySeconds !== undefined;
  return { beforeConnect: arms.filter((a) => !needsActivity(a)), afterActivity: arms.filter(needsActivity) };
}

/** The undos of this run's armed homes, also kept in the credentials file so a killed run is repaired by the next. */
export class ArmedProfiles {
  readonly undos: Record<string, ProfileUndo> = {};

  constructor(private readonly prepared: Prepared) {}

  readonly remember = async (undos: Map<string, ProfileUndo>): Promise<void> => {
    for (const [id, undo] of undos) this.undos[id] = undo;
    await this.save();
  };

  async save(): Promise<void> {
    const { credentials, credentialsFile } = this.prepared;
    if (!credentialsFile) return;
    credentials.armedProfiles = { ...this.undos };
    await saveCredentials(credentialsFile, credentials);
  }
}

/** Notes the armed homes in the credentials file first, so a killed run is repaired by the next one. */
export async function armBeforeConnect(
  api: SimApiClient,
  prepared: Prepared,
  split: ArmingSplit,
  armed: ArmedProfiles,
): Promise<void> {
  const all = [...split.beforeConnect, ...split.afterActivity];
  if (all.length > 0 && prepared.credentialsFile) {
    prepared.credentials.armed = all.map((a) => a.residentId);
    await saveCredentials(prepared.credentialsFile, prepared.credentials);
  }
  await armHomes(api, split.beforeConnect, armed.remember);
}

export async function armAfterActivity(
  api: SimApiClient,
  homes: readonly SimHome[],
  arms: HomeArming[],
  armed: ArmedProfiles,
  clock: Clock,
  timeoutMs = 5_000,
): Promise<void> {
  if (arms.length === 0) return;
  const ids = new Set(arms.map((a) => a.residentId));
  const waiting = homes.filter((h) => ids.has(h.residentId));
  const deadline = clock() + timeoutMs;
  while (waiting.some((h) => h.lastActivityAt === null) && clock() < deadline) await sleep(100);
  // A moment for the platform to store the movement before the short window applies.
  await sleep(500);
  await armHomes(api, arms, armed.remember);
}

export async function disarm(api: SimApiClient, prepared: Prepared, arms: HomeArming[], armed: ArmedProfiles) {
  await disarmHomes(
    api,
    armed.undos,
    arms.flatMap((a) => a.heartbeats.map((h) => h.deviceId)),
  );
  if (arms.length > 0 && prepared.credentialsFile) {
    prepared.credentials.armed = [];
    prepared.credentials.armedProfiles = {};
    await saveCredentials(prepared.credentialsFile, prepared.credentials);
  }
}

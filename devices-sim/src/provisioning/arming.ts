// Arming: while a run is live, scenario homes get shortened rule windows (care
// profile overrides) and heartbeat intervals; afterwards they get their normal
// profile back. Arming after the devices are online, rather than at creation,
// means an idle reused home never sits with a 15 s inactivity rule between runs.
import type { CareProfile } from '@anxin/contract';
import { mapWithConcurrency } from '../concurrency';
import type { SimApiClient } from './api-client';
import { NORMAL_CARE_PROFILE } from './provision';

export interface HomeArming {
  residentId: string;
  careProfile: CareProfile | null;
  heartbeats: { deviceId: string; seconds: number }[];
}

export async function armHomes(api: SimApiClient, arms: HomeArming[], concurrency = 8): Promise<void> {
  await mapWithConcurrency(arms, concurrency, async (arm) => {
    if (arm.careProfile) await api.patch(`/api/v1/residents/${arm.residentId}`, { careProfile: arm.careProfile });
    for (const hb of arm.heartbeats) {
      await api.patch(`/api/v1/devices/${hb.deviceId}`, { heartbeatIntervalSeconds: hb.seconds });
    }
  });
}

/** Restores normal profiles and the device types' default heartbeats. */
export async function disarmHomes(
  api: SimApiClient,
  residentIds: string[],
  deviceIds: string[],
  concurrency = 8,
): Promise<void> {
  await mapWithConcurrency(residentIds, concurrency, (id) =>
    api.patch(`/api/v1/residents/${id}`, { careProfile: NORMAL_CARE_PROFILE }),
  );
  await mapWithConcurrency(deviceIds, concurrency, (id) =>
    api.patch(`/api/v1/devices/${id}`, { heartbeatIntervalSeconds: null }),
  );
}

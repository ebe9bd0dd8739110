// Provisioning through the HTTP API (CONTRACT §3), as an installer would:
// center → station → community, one resident per home, the home's devices
// (secrets shown once), and caregivers on duty at the station for dispatch.
import type { DeviceType, LoginResponse } from '@anxin/contract';
import { mapWithConcurrency } from '../../../devices-sim/src/concurrency';
import { SimApiClient } from '../../../devices-sim/src/provisioning/api-client';
import type { DeviceSpec } from '../load/bench-device';

/** What every bench home has: a mattress and a wearable reporting vitals, an SOS button and a motion sensor. */
export const HOME_DEVICE_TYPES: DeviceType[] = ['mattress', 'wearable', 'sos_button', 'motion_sensor'];

export interface BenchHome {
  residentId: string;
  devices: DeviceSpec[];
}

export interface Provisioned {
  admin: LoginResponse;
  api: SimApiClient;
  stationId: string;
  communityId: string;
  homes: BenchHome[];
  caregivers: { id: string; username: string; password: string }[];
  ms: number;
  requests: number;
}

interface Created {
  id: string;
}

export async function provision(
  baseUrl: string,
  adminPassword: string,
  opts: { homes: number; caregivers: number; concurrency: number; log(line: string): void },
): Promise<Provisioned> {
  const started = performance.now();
  const api = new SimApiClient(baseUrl);
  const admin = await api.login('admin', adminPassword);
  const stamp = Date.now().toString(36);
  const center = await api.post<Created>('/api/v1/org-units', { name: `压测中心 ${stamp}`, kind: 'center' });
  const station = await api.post<Created>('/api/v1/org-units', {
    name: `压测服务站 ${stamp}`,
    kind: 'station',
    parentId: center.id,
  });
  const community = await api.post<Created>('/api/v1/org-units', {
    name: `压测社区 ${stamp}`,
    kind: 'community',
    parentId: station.id,
  });
  let requests = 3;
  let done = 0;
  const total = opts.homes * (1 + HOME_DEVICE_TYPES.length);
  let lastLog = performance.now();
  const tick = () => {
    done += 1;
    requests += 1;
    if (performance.now() - lastLog > 10_000) {
      lastLog = performance.now();
      opts.log(`  provisioning: ${done}/${total} requests`);
    }
  };
  const residentIds = await mapWithConcurrency(
    Array.from({ length: opts.homes }, (_, i) => i),
    opts.concurrency,
    async (i) => {
      const r = await api.post<Created>('/api/v1/residents', {
        name: `住户${i + 1}`,
        orgUnitId: community.id,
        address: `压测小区 ${Math.floor(i / 24) + 1} 号楼 ${101 + (i % 24)} 室`,
      });
      tick();
      return r.id;
    },
  );
  const wanted = residentIds.flatMap((residentId) => HOME_DEVICE_TYPES.map((type) => ({ residentId, type })));
  const devices = await mapWithConcurrency(wanted, opts.concurrency, async ({ residentId, type }) => {
    const d = await api.post<Created & { secret: string }>('/api/v1/devices', { type, residentId });
    tick();
    return { id: d.id, secret: d.secret, type, residentId };
  });
  const byResident = new Map<string, DeviceSpec[]>();
  for (const d of devices) {
    const list = byResident.get(d.residentId) ?? [];
    list.push({ id: d.id, secret: d.secret, type: d.type });
    byResident.set(d.residentId, list);
  }
  const caregivers = await mapWithConcurrency(
    Array.from({ length: opts.caregivers }, (_, i) => i),
    4,
    async (i) => {
      const username = `bench_cg_${stamp}_${i}`;
      const password = `caregiver-pass-${i}`;
      const user = await api.post<Created>('/api/v1/users', {
        username,
        password,
        role: 'caregiver',
        orgUnitId: station.id,
        displayName: `护理员${i + 1}`,
      });
      requests += 1;
      return { id: user.id, username, password };
    },
  );
  return {
    admin,
    api,
    stationId: station.id,
    communityId: community.id,
    homes: residentIds.map((residentId) => ({ residentId, devices: byResident.get(residentId) ?? [] })),
    caregivers,
    ms: performance.now() - started,
    requests,
  };
}

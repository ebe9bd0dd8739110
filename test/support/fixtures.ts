import type { ApiClient } from './api-client';
import { unique } from './platform-harness';

export interface StationFixture {
  stationId: string;
  communityId: string;
  operator: ApiClient;
  operatorId: string;
  residentId: string;
  deviceId: string;
  deviceSecret: string;
}

export async function createCenter(admin: ApiClient, name = unique('中心')): Promise<string> {
  const res = await admin.post('/api/v1/org-units', { name, kind: 'center' });
  if (res.status !== 201) throw new Error(`create center: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id as string;
}

/** A station under `centerId` with a community, an operator, a resident and an SOS button. */
export async function createStation(
  admin: ApiClient,
  centerId: string,
  deviceType = 'sos_button',
): Promise<StationFixture> {
  const ok = (res: { status: number; body: any }, what: string) => {
    if (res.status !== 201) throw new Error(`${what}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };
  const station = ok(
    await admin.post('/api/v1/org-units', { name: unique('站'), kind: 'station', parentId: centerId }),
    'station',
  );
  const community = ok(
    await admin.post('/api/v1/org-units', { name: unique('社区'), kind: 'community', parentId: station.id }),
    'community',
  );
  const username = unique('op');
  const operatorUser = ok(
    await admin.post('/api/v1/users', { username, password: 'operator-pass', role: 'operator', orgUnitId: station.id }),
    'operator',
  );
  const operator = await admin.login(username, 'operator-pass');
  const resident = ok(
    await operator.post('/api/v1/residents', { name: unique('张奶奶'), orgUnitId: community.id, address: '和平路1号' }),
    'resident',
  );
  const device = ok(await operator.post('/api/v1/devices', { type: deviceType, residentId: resident.id }), 'device');
  return {
    stationId: station.id,
    communityId: community.id,
    operator,
    operatorId: operatorUser.id,
    residentId: resident.id,
    deviceId: device.id,
    deviceSecret: device.secret,
  };
}

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SimApiClient } from '../../../devices-sim/src/provisioning/api-client';
import {
  CredentialsFileError,
  homesOf,
  loadCredentials,
  saveCredentials,
} from '../../../devices-sim/src/provisioning/credentials';
import {
  NORMAL_CARE_PROFILE,
  provisionHomes,
  verifyCredentials,
} from '../../../devices-sim/src/provisioning/provision';
import { createCenter, createStation } from '../../support/fixtures';
import { ADMIN_PASSWORD, startTestPlatform, type TestPlatform } from '../../support/platform-harness';

describe('simulator provisioning through the HTTP API', () => {
  let t: TestPlatform;
  let dir: string;
  const log = jest.fn();

  beforeAll(async () => {
    t = await startTestPlatform();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'anxin-sim-'));
  });
  afterAll(async () => {
    fs.rmSync(dir, { recursive: true, force: true });
    await t.stop();
  });

  const baseUrl = () => `http://127.0.0.1:${t.platform.httpPort}`;

  it('creates a community, residents with normal profiles and each home’s devices, and saves their secrets', async () => {
    const api = new SimApiClient(baseUrl());
    const login = await api.login('admin', ADMIN_PASSWORD);
    const result = await provisionHomes(api, login, null, {
      homes: 3,
      deviceTypesFor: (i) => (i === 0 ? ['mattress', 'wearable', 'smoke_detector'] : ['sos_button']),
      orgUnitId: null,
      seed: 1,
      concurrency: 4,
      log,
    });
    expect(result).toMatchObject({ createdResidents: 3, createdDevices: 5 });
    const { credentials } = result;
    const community = await t.admin.get(`/api/v1/org-units/${credentials.orgUnitId}`);
    expect(community.body).toMatchObject({ kind: 'community', parentId: login.user.orgUnitId });

    const file = path.join(dir, 'homes.json');
    await saveCredentials(file, credentials);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const homes = homesOf((await loadCredentials(file))!);
    expect(homes.map((h) => h.devices.map((d) => d.type).sort())).toEqual([
      ['mattress', 'smoke_detector', 'wearable'],
      ['sos_button'],
      ['sos_button'],
    ]);
    for (const home of homes) {
      const resident = await t.admin.get(`/api/v1/residents/${home.resident.id}`);
      expect(resident.body).toMatchObject({ orgUnitId: credentials.orgUnitId, careProfile: NORMAL_CARE_PROFILE });
      for (const device of home.devices) {
        const fetched = await t.admin.get(`/api/v1/devices/${device.id}`);
        expect(fetched.body).toMatchObject({ type: device.type, residentId: home.resident.id, online: false });
        expect(device.secret.length).toBeGreaterThanOrEqual(22);
      }
    }
  });

  it('reuses saved homes: tops up missing homes and device types without duplicating any', async () => {
    const api = new SimApiClient(baseUrl());
    const login = await api.login('admin', ADMIN_PASSWORD);
    const first = await provisionHomes(api, login, null, {
      homes: 2,
      deviceTypesFor: () => ['sos_button'],
      orgUnitId: null,
      seed: 2,
      concurrency: 4,
      log,
    });
    const again = await provisionHomes(api, login, first.credentials, {
      homes: 3,
      deviceTypesFor: (i) => (i === 1 ? ['sos_button', 'door_sensor'] : ['sos_button']),
      orgUnitId: null,
      seed: 2,
      concurrency: 4,
      log,
    });
    expect(again).toMatchObject({ createdResidents: 1, createdDevices: 2 });
    expect(again.credentials.orgUnitId).toBe(first.credentials.orgUnitId);
    expect(again.credentials.residents.slice(0, 2)).toEqual(first.credentials.residents);
    expect(homesOf(again.credentials).map((h) => h.devices.length)).toEqual([1, 2, 1]);
  });

  it('places an operator’s homes in its own unit, which it may not create units under', async () => {
    const station = await createStation(t.admin, await createCenter(t.admin));
    const operatorName = `simop${Date.now().toString(36)}`;
    await t.admin.post('/api/v1/users', {
      username: operatorName,
      password: 'operator-pass',
      role: 'operator',
      orgUnitId: station.stationId,
    });
    const api = new SimApiClient(baseUrl());
    const login = await api.login(operatorName, 'operator-pass');
    const result = await provisionHomes(api, login, null, {
      homes: 1,
      deviceTypesFor: () => ['wearable'],
      orgUnitId: null,
      seed: 3,
      concurrency: 2,
      log,
    });
    expect(result.credentials.orgUnitId).toBe(station.stationId);
    const placed = await provisionHomes(api, login, null, {
      homes: 1,
      deviceTypesFor: () => ['wearable'],
      orgUnitId: station.communityId,
      seed: 3,
      concurrency: 2,
      log,
    });
    expect(placed.credentials.residents[0]?.orgUnitId).toBe(station.communityId);
  });

  it('refuses a credentials file whose residents this platform does not know', async () => {
    const api = new SimApiClient(baseUrl());
    await api.login('admin', ADMIN_PASSWORD);
    const stale = {
      version: 1 as const,
      api: 'http://elsewhere',
      orgUnitId: 'x',
      createdAt: new Date().toISOString(),
      residents: [
        { id: '00000000-0000-4000-8000-000000000000', name: 'x', orgUnitId: 'x', home: { lat: 31, lon: 121 } },
      ],
      devices: [],
    };
    await expect(verifyCredentials(api, stale, 'old.json')).rejects.toBeInstanceOf(CredentialsFileError);
  });
});

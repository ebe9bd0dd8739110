// Demo data: a street service centre with three stations, one community each,
// an operator per station, caregivers of four service organisations and twelve
// residents (four per community). Seeding looks everything up by name before
// creating it, so an interrupted seed can simply run again.
import { ApiError } from './http.mjs';

export const CENTRE_NAME = '安心街道服务中心';

/** Every seeded account (operators and caregivers) uses this password; admin keeps its own. */
export const DEMO_PASSWORD = 'anxin-demo';

/** Stations, their community, operator and where their homes are (central Shanghai). */
export const STATIONS = [
  {
    name: '新华站',
    community: '新华社区',
    operator: { username: 'station1', displayName: '新华站值班员 王丽' },
    centre: { lat: 31.2105, lon: 121.432 },
  },
  {
    name: '光明站',
    community: '光明社区',
    operator: { username: 'station2', displayName: '光明站值班员 陈刚' },
    centre: { lat: 31.229, lon: 121.475 },
  },
  {
    name: '团结站',
    community: '团结社区',
    operator: { username: 'station3', displayName: '团结站值班员 刘芳' },
    centre: { lat: 31.262, lon: 121.508 },
  },
];

/** Service organisations (each covers all three stations) and their caregivers. */
export const SERVICE_ORGS = [
  {
    name: '社区志愿者服务队',
    kind: 'volunteer',
    caregivers: [
      { username: 'volunteer1', displayName: '志愿者 李志强', skills: ['meal', 'mobility', 'emergency'] },
      { username: 'volunteer2', displayName: '志愿者 赵晓梅', skills: ['meal', 'cleaning', 'emergency'] },
    ],
  },
  {
    name: '街道卫生服务站',
    kind: 'health_station',
    caregivers: [
      { username: 'doctor1', displayName: '全科医生 周明', skills: ['medical'] },
      { username: 'nurse1', displayName: '护士 陈静', skills: ['medical', 'bathing', 'mobility'] },
    ],
  },
  {
    name: '安居物业公司',
    kind: 'property',
    caregivers: [{ username: 'property1', displayName: '物业维修 刘师傅', skills: ['maintenance', 'emergency'] }],
  },
  {
    name: '好帮手家政服务公司',
    kind: 'housekeeping',
    caregivers: [
      { username: 'housekeeper1', displayName: '家政员 孙阿姨', skills: ['cleaning', 'meal', 'bathing'] },
      { username: 'housekeeper2', displayName: '家政员 吴阿姨', skills: ['bathing', 'mobility', 'cleaning'] },
    ],
  },
];

/** Four residents per community, in station order. */
const RESIDENTS = [
  // 新华社区
  ['王秀英', '1938-04-12', '2号楼 1单元 302室', '王建军', '儿子'],
  ['李建国', '1941-09-03', '5号楼 2单元 101室', '李娜', '女儿'],
  ['张桂兰', '1935-01-27', '7号楼 1单元 502室', '张伟', '儿子'],
  ['刘福生', '1944-11-18', '3号楼 3单元 201室', '刘洋', '孙子'],
  // 光明社区
  ['陈淑珍', '1939-06-08', '1号楼 2单元 401室', '陈晓东', '儿子'],
  ['杨德明', '1942-02-21', '4号楼 1单元 103室', '杨丽', '女儿'],
  ['黄玉兰', '1936-08-30', '6号楼 2单元 301室', '黄强', '儿子'],
  ['赵志强', '1945-12-05', '9号楼 1单元 602室', '赵敏', '女儿'],
  // 团结社区
  ['吴凤英', '1937-03-16', '3号楼 1单元 202室', '吴军', '儿子'],
  ['周国华', '1940-07-09', '8号楼 2单元 501室', '周婷', '女儿'],
  ['徐美华', '1943-10-24', '2号楼 3单元 101室', '徐磊', '儿子'],
  ['孙文华', '1934-05-02', '6号楼 1单元 402室', '孙静', '女儿'],
];
const PER_COMMUNITY = 4;

/** Seeded residents start with this profile; operators may change it (the simulator keeps their changes). */
const NORMAL_CARE_PROFILE = { conditions: ['lives_alone'] };

/**
 * The simulator's own account: an operator of the centre (it sees all three stations). Acting as itself,
 * not as admin, it can tell the alerts it took up from those a person (signed in as admin, too) did.
 */
export const SIMULATOR_ACCOUNT = { username: 'demo-sim', displayName: '设备模拟器' };

/**
 * Makes sure the simulator's account exists (also in a data directory seeded by an older demo).
 * @param {import('./http.mjs').Api} api signed in as admin
 * @param {string} centreId
 */
export async function ensureSimulatorAccount(api, centreId) {
  try {
    await api.post('/api/v1/users', {
      ...SIMULATOR_ACCOUNT,
      role: 'operator',
      orgUnitId: centreId,
      password: DEMO_PASSWORD,
    });
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 409)) throw error;
  }
}

/**
 * @typedef {{ id: string, name: string, orgUnitId: string, station: string, community: string,
 *   home: { lat: number, lon: number } }} SeededResident
 * @typedef {{ version: 1, seededAt: string, centreId: string,
 *   stations: { name: string, id: string, community: string, communityId: string, operator: string }[],
 *   residents: SeededResident[] }} SeedMarker
 */

/**
 * Creates (or finds) everything above. `api` must be signed in as admin.
 * @param {import('./http.mjs').Api} api
 * @param {{ orgUnitId: string }} admin the admin's login user
 * @param {(line: string) => void} log
 * @returns {Promise<SeedMarker>}
 */
export async function seed(api, admin, log) {
  /** @type {{ id: string, name: string, kind: string, parentId: string | null }[]} */
  const units = await api.get('/api/v1/org-units');
  const centre = units.find((u) => u.id === admin.orgUnitId);
  if (!centre) throw new Error(`the admin's org unit ${admin.orgUnitId} is not listed`);
  if (centre.name !== CENTRE_NAME && centre.kind === 'center' && centre.parentId === null) {
    await api.patch(`/api/v1/org-units/${centre.id}`, { name: CENTRE_NAME });
    log(`已把顶级中心“${centre.name}”改名为 ${CENTRE_NAME}`);
  }

  /**
   * @param {string} name
   * @param {'station' | 'community'} kind
   * @param {string} parentId
   * @returns {Promise<string>}
   */
  const unit = async (name, kind, parentId) => {
    const found = units.find((u) => u.name === name && u.kind === kind && u.parentId === parentId);
    if (found) return found.id;
    const created = await api.post('/api/v1/org-units', { name, kind, parentId });
    units.push({ id: created.id, name, kind, parentId });
    return created.id;
  };
  const stations = [];
  for (const s of STATIONS) {
    const id = await unit(s.name, 'station', centre.id);
    const communityId = await unit(s.community, 'community', id);
    stations.push({ name: s.name, id, community: s.community, communityId, operator: s.operator.username });
  }

  /** @type {{ username: string }[]} */
  const users = await api.get('/api/v1/users?limit=500');
  const existingUsers = new Set(users.map((u) => u.username));
  /** @param {Record<string, unknown> & { username: string }} body */
  const user = async (body) => {
    if (existingUsers.has(body.username)) return;
    try {
      await api.post('/api/v1/users', { ...body, password: DEMO_PASSWORD });
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 409)) throw error;
    }
    existingUsers.add(body.username);
  };
  for (const [i, s] of STATIONS.entries()) {
    await user({ ...s.operator, role: 'operator', orgUnitId: stations[i].id });
  }

  /** @type {{ id: string, name: string }[]} */
  const orgs = await api.get('/api/v1/service-orgs');
  for (const org of SERVICE_ORGS) {
    let serviceOrgId = orgs.find((o) => o.name === org.name)?.id;
    if (!serviceOrgId) {
      const created = await api.post('/api/v1/service-orgs', {
        name: org.name,
        kind: org.kind,
        orgUnitIds: stations.map((s) => s.id),
      });
      serviceOrgId = created.id;
    }
    for (const c of org.caregivers) {
      await user({ ...c, role: 'caregiver', orgUnitId: centre.id, serviceOrgId });
    }
  }

  /** @type {{ id: string, name: string, orgUnitId: string }[]} */
  const existingResidents = [];
  for (const s of stations) {
    existingResidents.push(...(await api.get(`/api/v1/residents?orgUnitId=${s.communityId}&limit=500`)));
  }
  /** @type {SeededResident[]} */
  const residents = [];
  for (const [i, [name, birthDate, flat, contact, relation]] of RESIDENTS.entries()) {
    const station = stations[Math.floor(i / PER_COMMUNITY)];
    const def = STATIONS[Math.floor(i / PER_COMMUNITY)];
    const n = i % PER_COMMUNITY;
    // A few hundred metres apart around the community.
    const home = {
      lat: round6(def.centre.lat + (n - 1.5) * 0.0011),
      lon: round6(def.centre.lon + ((n * 7) % 4) * 0.0009 - 0.0013),
    };
    let id = existingResidents.find((r) => r.name === name && r.orgUnitId === station.communityId)?.id;
    if (!id) {
      const created = await api.post('/api/v1/residents', {
        name,
        orgUnitId: station.communityId,
        address: `${station.community} ${flat}`,
        birthDate,
        phone: `1380021${String(1000 + i * 37).padStart(4, '0')}`,
        emergencyContacts: [
          { name: contact, relation, phone: `1391752${String(2000 + i * 53).padStart(4, '0')}`, order: 1 },
        ],
        careProfile: NORMAL_CARE_PROFILE,
      });
      id = created.id;
    }
    residents.push({
      id,
      name,
      orgUnitId: station.communityId,
      station: station.name,
      community: station.community,
      home,
    });
  }

  return { version: 1, seededAt: new Date().toISOString(), centreId: centre.id, stations, residents };
}

/**
 * The simulator's credentials file (devices-sim `--credentials`) for the seeded
 * residents, interleaved across the stations so that the `mixed` scenario (one
 * incident per home, in catalogue order) spreads its incidents over all three.
 * Devices are left out: the simulator provisions each home's devices on its
 * first round and saves their secrets back into the file.
 * @param {SeedMarker} marker
 * @param {string} apiUrl
 */
export function simCredentialsFor(marker, apiUrl) {
  const byStation = marker.stations.map((s) => marker.residents.filter((r) => r.orgUnitId === s.communityId));
  const interleaved = [];
  for (let i = 0; i < Math.max(...byStation.map((l) => l.length)); i++) {
    for (const list of byStation) if (list[i]) interleaved.push(list[i]);
  }
  return {
    version: 1,
    api: apiUrl,
    orgUnitId: marker.stations[0].communityId,
    createdAt: new Date().toISOString(),
    residents: interleaved.map((r) => ({ id: r.id, name: r.name, orgUnitId: r.orgUnitId, home: r.home })),
    devices: [],
  };
}

/** @param {number} x */
function round6(x) {
  return Math.round(x * 1e6) / 1e6;
}

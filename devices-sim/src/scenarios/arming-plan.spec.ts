import { splitArming } from '../cli/arming-phase';
import type { HomeCredentials } from '../provisioning/credentials';
import { MIXED_HOMES } from './catalogue';
import { createRng } from '../homes/rng';
import { assignScenarios, limitIncidents } from './plan';
import { planArming } from './arming-plan';

const homes: HomeCredentials[] = assignScenarios('mixed', MIXED_HOMES).map((_, index) => ({
  index,
  resident: { id: `r${index}`, name: 'x', orgUnitId: 'o', home: { lat: 31.2, lon: 121.4 } },
  devices: [
    { id: `smoke${index}`, type: 'smoke_detector', secret: 's', residentId: `r${index}` },
    { id: `mat${index}`, type: 'mattress', secret: 's', residentId: `r${index}` },
  ],
}));

describe('arming plan', () => {
  const assigned = assignScenarios('mixed', MIXED_HOMES);
  const arms = planArming(homes, assigned, { nowMs: Date.now(), runSeconds: 120, timeZone: 'Asia/Shanghai' });
  const byScenario = new Map(arms.map((a) => [assigned[Number(a.residentId.slice(1))]?.name, a]));

  it('shortens rules only for scenario homes that need it; everyone else keeps the normal profile', () => {
    for (const name of ['sos', 'smoke', 'gas', 'water_leak', 'low_battery']) expect(byScenario.has(name)).toBe(false);
    expect(byScenario.get('bradycardia')?.careProfile).toEqual({ rules: { vitalsSustainSeconds: 5 } });
    expect(byScenario.get('not_back_in_bed')?.careProfile?.rules).toEqual({ bedReturnSeconds: 8 });
    expect(arms.some((a) => a.residentId === `r${MIXED_HOMES - 1}`)).toBe(false); // the routine-only home
  });

  it('gives the offline scenario a 10 s heartbeat on its smoke detector only', () => {
    const offline = byScenario.get('device_offline');
    expect(offline?.heartbeats).toHaveLength(1);
    expect(offline?.heartbeats[0]?.deviceId).toMatch(/^smoke/);
    expect(offline?.heartbeats[0]?.seconds).toBe(10);
    expect(arms.filter((a) => a.heartbeats.length > 0)).toHaveLength(1);
  });

  it('arms the inactivity rule only after the resident has been seen moving', () => {
    const split = splitArming(arms);
    const late = split.afterActivity.map((a) => assigned[Number(a.residentId.slice(1))]?.name).sort();
    expect(late).toEqual(['active_at_home', 'inactivity']);
    expect(split.beforeConnect.length + split.afterActivity.length).toBe(arms.length);
  });
});

describe('a slower pace (--incidents)', () => {
  const assigned = assignScenarios('mixed', 12);

  it('keeps the scenarios of that many homes, picked by the seed, and leaves the rest to the routine', () => {
    const a = limitIncidents(assigned, 2, createRng(7));
    expect(a.filter(Boolean)).toHaveLength(2);
    a.forEach((s, i) => expect(s === null || s === assigned[i]).toBe(true));
    expect(limitIncidents(assigned, 2, createRng(7))).toEqual(a);
    expect(limitIncidents(assigned, null, createRng(7))).toEqual(assigned);
  });
});

import { overlay, takeOff } from './arming';

describe('arming a care profile', () => {
  const operatorProfile = {
    conditions: ['lives_alone'],
    rules: { heartRateMax: 110 },
    responderNotes: '钥匙在物业',
  };

  it('lays the shortened rules over what is there and takes exactly them off again', () => {
    const { next, undo } = overlay(operatorProfile, {
      conditions: ['wandering_risk'],
      rules: { bedReturnSeconds: 20 },
      nightWindow: { start: '10:00', end: '11:00' },
    });
    expect(next).toEqual({
      conditions: ['lives_alone', 'wandering_risk'],
      rules: { heartRateMax: 110, bedReturnSeconds: 20 },
      responderNotes: '钥匙在物业',
      nightWindow: { start: '10:00', end: '11:00' },
    });
    expect(takeOff(next, undo)).toEqual(operatorProfile);
  });

  it("keeps an operator's change made while the run was live, also to a field the run had set", () => {
    const { next, undo } = overlay(operatorProfile, { rules: { bedReturnSeconds: 20, heartRateMax: 150 } });
    const edited = { ...next, rules: { ...next.rules, heartRateMax: 120 }, responderNotes: '门口有猫' };
    expect(takeOff(edited, undo)).toEqual({
      conditions: ['lives_alone'],
      rules: { heartRateMax: 120 },
      responderNotes: '门口有猫',
    });
  });

  it('changes nothing when the overrides are already gone', () => {
    const { undo } = overlay(operatorProfile, { safeZone: { lat: 31.2, lon: 121.4, radiusM: 300 } });
    expect(takeOff(operatorProfile, undo)).toBeNull();
  });
});

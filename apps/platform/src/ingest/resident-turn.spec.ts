import { residentTurnsStatement, takeResidentTurns } from './resident-turn';

describe('residentTurnsStatement', () => {
  it('takes the turns of the given residents, their ids as uuid literals', () => {
    const ids = ['1b4e28ba-2fa1-11d2-883f-0016d3cca427', '6fa459ea-ee8a-3ca4-894e-db77e160355e'];
    expect(residentTurnsStatement(ids)).toBe(takeResidentTurns(`ARRAY['${ids[0]}', '${ids[1]}']::uuid[]`));
  });

  it('refuses anything but a uuid, so no text reaches the SQL', () => {
    expect(() => residentTurnsStatement(["x'); DROP TABLE alerts; --"])).toThrow(/is not a uuid/);
    expect(() => residentTurnsStatement(['1b4e28ba-2fa1-11d2-883f-0016d3cca427 '])).toThrow(/is not a uuid/);
  });
});

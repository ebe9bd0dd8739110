import { isInNightWindow } from './night-window';

const at = (iso: string) => new Date(iso);

describe('night window', () => {
  const night = { start: '22:00', end: '06:00' };

  it('spans midnight in Asia/Shanghai', () => {
    expect(isInNightWindow(at('2026-11-23T14:30:00Z'), night, 'Asia/Shanghai')).toBe(true); // 22:30 local
    expect(isInNightWindow(at('2026-11-23T19:00:00Z'), night, 'Asia/Shanghai')).toBe(true); // 03:00 local
    expect(isInNightWindow(at('2026-11-23T22:00:00Z'), night, 'Asia/Shanghai')).toBe(false); // 06:00 local, end is exclusive
    expect(isInNightWindow(at('2026-11-23T04:00:00Z'), night, 'Asia/Shanghai')).toBe(false); // 12:00 local
  });

  it('uses the configured time zone, not the server’s', () => {
    const instant = at('2026-11-23T23:00:00Z');
    expect(isInNightWindow(instant, night, 'UTC')).toBe(true);
    expect(isInNightWindow(instant, night, 'Asia/Shanghai')).toBe(false); // 07:00 local
  });

  it('handles a window inside one day', () => {
    const nap = { start: '13:00', end: '14:30' };
    expect(isInNightWindow(at('2026-11-23T05:15:00Z'), nap, 'Asia/Shanghai')).toBe(true);
    expect(isInNightWindow(at('2026-11-23T06:45:00Z'), nap, 'Asia/Shanghai')).toBe(false);
  });
});

import { localDateTimeText, localToday, presetPeriod, quarterPeriod, startOfLocalDay } from './zoned-time';

describe('periods in the platform time zone', () => {
  it("starts a day at the zone's midnight, not the browser's or UTC's", () => {
    expect(startOfLocalDay({ year: 2026, month: 7, day: 1 }, 'Asia/Shanghai').toISOString()).toBe(
      '2026-06-30T16:00:00.000Z',
    );
    expect(startOfLocalDay({ year: 2026, month: 7, day: 1 }, 'UTC').toISOString()).toBe('2026-07-01T00:00:00.000Z');
    // Across a daylight-saving change: Berlin is UTC+1 in January, UTC+2 in July.
    expect(startOfLocalDay({ year: 2026, month: 1, day: 1 }, 'Europe/Berlin').toISOString()).toBe(
      '2025-12-31T23:00:00.000Z',
    );
    expect(startOfLocalDay({ year: 2026, month: 7, day: 1 }, 'Europe/Berlin').toISOString()).toBe(
      '2026-06-30T22:00:00.000Z',
    );
  });

  it('gives quarters and presets as [from, to) of local midnights, the fourth quarter ending at the new year', () => {
    const q4 = quarterPeriod(2026, 4, 'Asia/Shanghai');
    expect([q4.from.toISOString(), q4.to.toISOString()]).toEqual([
      '2026-09-30T16:00:00.000Z',
      '2026-12-31T16:00:00.000Z',
    ]);
    // 2026-11-30 20:00 UTC is already 1 December in Shanghai.
    const now = new Date('2026-11-30T20:00:00Z');
    expect(localToday('Asia/Shanghai', now)).toEqual({ year: 2026, month: 12, day: 1 });
    const lastQuarter = presetPeriod('lastQuarter', 'Asia/Shanghai', now);
    expect(lastQuarter.from.toISOString()).toBe('2026-06-30T16:00:00.000Z');
    const lastMonth = presetPeriod('lastMonth', 'Asia/Shanghai', now);
    expect([lastMonth.from.toISOString(), lastMonth.to.toISOString()]).toEqual([
      '2026-10-31T16:00:00.000Z',
      '2026-11-30T16:00:00.000Z',
    ]);
  });

  it("writes a time as the zone's clock reads it, across midnight and in a 24-hour clock", () => {
    expect(localDateTimeText('2026-11-30T15:59:59Z', 'Asia/Shanghai')).toBe('2026-11-30 23:59:59');
    expect(localDateTimeText(new Date('2026-11-30T16:00:00Z'), 'Asia/Shanghai')).toBe('2026-12-01 00:00:00');
    expect(localDateTimeText('2026-07-01T00:30:00Z', 'Europe/Berlin')).toBe('2026-07-01 02:30:00');
  });
});

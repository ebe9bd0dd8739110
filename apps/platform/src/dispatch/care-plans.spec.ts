import { upcomingSlots } from './care-plans';

describe('recurring care plans', () => {
  it('finds the next Tuesday 10:00 in Shanghai time', () => {
    const mondayNoon = new Date('2026-11-23T04:00:00Z'); // Monday 12:00 in Asia/Shanghai
    const slots = upcomingSlots({ weekdays: [2], timeOfDay: '10:00' }, mondayNoon, 48 * 3600_000, 'Asia/Shanghai');
    expect(slots.map((d) => d.toISOString())).toEqual(['2026-11-24T02:00:00.000Z']);
  });

  it('gives one meal a day at 11:30 within a day ahead, never in the past', () => {
    const at = new Date('2026-11-23T04:00:00Z'); // 12:00 local: today's 11:30 is gone
    const slots = upcomingSlots(
      { weekdays: [1, 2, 3, 4, 5, 6, 7], timeOfDay: '11:30' },
      at,
      24 * 3600_000,
      'Asia/Shanghai',
    );
    expect(slots.map((d) => d.toISOString())).toEqual(['2026-11-24T03:30:00.000Z']);
  });
});

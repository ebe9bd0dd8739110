import { isPlanSlot, slotsBetween, upcomingSlots } from './care-plans';

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

  it("lists a week's occurrences, Monday to Sunday in the platform's zone", () => {
    const monday = new Date('2026-11-22T16:00:00Z'); // Monday 00:00 in Asia/Shanghai
    const sunday = new Date(monday.getTime() + 7 * 86_400_000);
    const slots = slotsBetween({ weekdays: [1, 3, 7], timeOfDay: '07:15' }, monday, sunday, 'Asia/Shanghai');
    expect(slots.map((d) => d.toISOString())).toEqual([
      '2026-11-22T23:15:00.000Z',
      '2026-11-24T23:15:00.000Z',
      '2026-11-28T23:15:00.000Z',
    ]);
    expect(slotsBetween({ weekdays: [1], timeOfDay: '00:00' }, monday, sunday, 'Asia/Shanghai')).toEqual([monday]);
  });

  it("tells whether an order's slot still belongs to an edited plan", () => {
    const tuesday10 = new Date('2026-11-24T02:00:00Z');
    expect(isPlanSlot({ weekdays: [2], timeOfDay: '10:00' }, tuesday10, 'Asia/Shanghai')).toBe(true);
    expect(isPlanSlot({ weekdays: [2], timeOfDay: '10:30' }, tuesday10, 'Asia/Shanghai')).toBe(false);
    expect(isPlanSlot({ weekdays: [3], timeOfDay: '10:00' }, tuesday10, 'Asia/Shanghai')).toBe(false);
  });
});

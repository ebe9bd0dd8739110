import { shiftClock } from './shift-clock';

describe('shift clock', () => {
  it("reads the platform zone's wall clock and weekday, and yesterday's", () => {
    // Sunday 16:30 UTC is Monday 00:30 in Shanghai: yesterday was Sunday.
    expect(shiftClock(new Date('2026-11-22T16:30:00Z'), 'Asia/Shanghai')).toEqual({
      time: '00:30',
      weekday: 1,
      previousWeekday: 7,
    });
    expect(shiftClock(new Date('2026-11-25T13:05:00Z'), 'UTC')).toEqual({
      time: '13:05',
      weekday: 3,
      previousWeekday: 2,
    });
  });
});

/** Minutes since local midnight of `at` in `timezone`. */
export function localMinutes(at: Date, timezone: string): number {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone: timezone,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(at);
  const hour = Number(parts.find((p) => p.type === 'hour')?.value ?? 0);
  const minute = Number(parts.find((p) => p.type === 'minute')?.value ?? 0);
  return hour * 60 + minute;
}

const toMinutes = (hhmm: string): number => {
  const [h, m] = hhmm.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
};

/** Whether `at` falls in the local night window; a window like 22:00–06:00 spans midnight. */
export function isInNightWindow(at: Date, window: { start: string; end: string }, timezone: string): boolean {
  const now = localMinutes(at, timezone);
  const start = toMinutes(window.start);
  const end = toMinutes(window.end);
  if (start === end) return true; // a 24-hour window
  return start < end ? now >= start && now < end : now >= start || now < end;
}

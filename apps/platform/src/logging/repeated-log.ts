import type { Logger } from 'pino';

type Level = 'error' | 'warn';

interface Suppressed {
  level: Level;
  fields: Record<string, unknown>;
  message: string;
  count: number;
}

/**
 * Logs a repeated failure once per interval with a count, not once per
 * message (issue 13: 349,999 identical lines in 8 minutes of overload). The
 * first occurrence of a key is logged at once; further ones within the
 * interval are counted, and the count is logged when the interval ends.
 */
export class RepeatedLog {
  private readonly suppressed = new Map<string, Suppressed>();
  private readonly lastLoggedAt = new Map<string, number>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly log: Logger,
    private readonly intervalMs = 10_000,
  ) {
    this.timer = setInterval(() => this.flush(), intervalMs);
    this.timer.unref();
  }

  error(key: string, fields: Record<string, unknown>, message: string): void {
    this.write('error', key, fields, message);
  }

  warn(key: string, fields: Record<string, unknown>, message: string): void {
    this.write('warn', key, fields, message);
  }

  /** Logs the counts of what was suppressed (also called on shutdown). */
  flush(): void {
    for (const [key, s] of this.suppressed) {
      this.log[s.level]({ ...s.fields, repeated: s.count, intervalSeconds: this.intervalMs / 1000 }, s.message);
      this.lastLoggedAt.set(key, Date.now());
    }
    this.suppressed.clear();
    // Keys quiet for a whole interval may log their next occurrence at once.
    const quietSince = Date.now() - this.intervalMs;
    for (const [key, at] of this.lastLoggedAt) if (at < quietSince) this.lastLoggedAt.delete(key);
  }

  close(): void {
    clearInterval(this.timer);
    this.flush();
  }

  private write(level: Level, key: string, fields: Record<string, unknown>, message: string): void {
    if (!this.lastLoggedAt.has(key)) {
      this.lastLoggedAt.set(key, Date.now());
      this.log[level](fields, message);
      return;
    }
    const s = this.suppressed.get(key);
    if (s) {
      s.count += 1;
      s.fields = fields; // the latest error is the one worth reading
    } else this.suppressed.set(key, { level, fields, message, count: 1 });
  }
}

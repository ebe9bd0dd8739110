// Progress while a run is live: a redrawn bar on a terminal, plain lines at a
// slower pace otherwise (CI logs and pipes should not fill with carriage returns).
export interface ProgressSnapshot {
  phase: string;
  elapsedSeconds: number;
  totalSeconds: number;
  messagesSent: number;
  pubacks: number;
  incidentsStarted: number;
  incidentsTotal: number;
  alertsSeen: number;
}

export class Progress {
  private lastPlainAt = 0;
  private drawn = false;

  constructor(
    private readonly stream: NodeJS.WriteStream = process.stderr,
    private readonly plainEveryMs = 5_000,
  ) {}

  get isTty(): boolean {
    return this.stream.isTTY === true;
  }

  update(s: ProgressSnapshot): void {
    const ratio = s.totalSeconds > 0 ? Math.min(1, s.elapsedSeconds / s.totalSeconds) : 1;
    const text =
      `${s.phase} ${Math.floor(s.elapsedSeconds)}/${s.totalSeconds}s  sent ${s.messagesSent}  ` +
      `acked ${s.pubacks}  incidents ${s.incidentsStarted}/${s.incidentsTotal}  alerts ${s.alertsSeen}`;
    // Counts first on a narrow terminal: the bar is what gets cut.
    const compact =
      `${s.phase} ${Math.floor(s.elapsedSeconds)}/${s.totalSeconds}s sent ${s.messagesSent} ` +
      `ack ${s.pubacks} inc ${s.incidentsStarted}/${s.incidentsTotal} alerts ${s.alertsSeen}`;
    if (this.isTty) {
      const columns = this.stream.columns || 120; // 0 on a pseudo-terminal with no size
      const width = Math.max(0, Math.min(24, columns - compact.length - 8));
      const filled = Math.round(ratio * width);
      const bar = width > 0 ? `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ` : '';
      const line = `${bar}${String(Math.round(ratio * 100)).padStart(3)}% ${compact}`;
      this.stream.write(`\r${line.slice(0, columns - 1)}\x1b[K`);
      this.drawn = true;
      return;
    }
    const now = Date.now();
    if (now - this.lastPlainAt < this.plainEveryMs) return;
    this.lastPlainAt = now;
    this.stream.write(`${text}\n`);
  }

  /** A log line that does not garble the bar. */
  log(line: string): void {
    if (this.drawn) {
      this.stream.write('\r\x1b[K');
      this.drawn = false;
    }
    this.stream.write(`${line}\n`);
  }

  done(): void {
    if (this.drawn) this.stream.write('\n');
    this.drawn = false;
  }
}

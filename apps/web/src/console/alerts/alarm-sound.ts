/**
 * The critical-alert alarm, synthesised with the Web Audio API (no audio files): a two-tone
 * pattern repeated every 1.6 s until stopped. Browsers keep an AudioContext suspended until a
 * user gesture; `unlock()` is called on every pointer or key press so the first click anywhere
 * (the login button included) enables sound.
 */
export class AlarmSound {
  private ctx: AudioContext | null = null;
  private timer: number | null = null;
  private listeners = new Set<() => void>();
  /** Patterns actually scheduled on a running context: what a test can read as "it sounds". */
  beeps = 0;

  get audioState(): 'running' | 'blocked' | 'unsupported' {
    if (typeof AudioContext === 'undefined') return 'unsupported';
    return this.ctx?.state === 'running' ? 'running' : 'blocked';
  }

  get playing(): boolean {
    return this.timer !== null;
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit() {
    for (const listener of this.listeners) listener();
  }

  unlock(): void {
    if (typeof AudioContext === 'undefined') return;
    if (!this.ctx) {
      this.ctx = new AudioContext();
      this.ctx.onstatechange = () => this.emit();
    }
    if (this.ctx.state === 'suspended')
      void this.ctx.resume().then(
        () => this.emit(),
        () => undefined,
      );
  }

  start(): void {
    if (this.timer !== null) return;
    this.unlock();
    this.pattern();
    this.timer = window.setInterval(() => this.pattern(), 1600);
    this.emit();
  }

  stop(): void {
    if (this.timer === null) return;
    window.clearInterval(this.timer);
    this.timer = null;
    this.emit();
  }

  private pattern(): void {
    const ctx = this.ctx;
    if (!ctx || ctx.state !== 'running') return;
    const t0 = ctx.currentTime + 0.02;
    [
      [880, 0],
      [660, 0.28],
      [880, 0.56],
    ].forEach(([freq, offset]) => {
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.type = 'square';
      osc.frequency.value = freq!;
      const start = t0 + offset!;
      gain.gain.setValueAtTime(0.0001, start);
      gain.gain.exponentialRampToValueAtTime(0.18, start + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + 0.24);
      osc.connect(gain).connect(ctx.destination);
      osc.start(start);
      osc.stop(start + 0.26);
    });
    this.beeps += 1;
    this.emit();
  }
}

export const alarmSound = new AlarmSound();

// Server CPU and memory straight from /proc (BENCHMARKS.md method 2): utime +
// stime of each process over the measured window, so a busy load generator on
// the same 2 cores cannot inflate or hide what the server spent.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

let clockTicks: number | null = null;

/** USER_HZ (clock ticks per second) of /proc/<pid>/stat times. */
export function ticksPerSecond(): number {
  if (clockTicks === null) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/** CPU time (user + system) a process has used so far, in microseconds; null once it is gone. */
export function cpuMicros(pid: number): number | null {
  let text: string;
  try {
    text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // The command name (field 2) may hold spaces; the fields after its closing ")" are fixed.
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const utime = Number(rest[11]);
  const stime = Number(rest[12]);
  return ((utime + stime) * 1e6) / ticksPerSecond();
}

/** Resident set size in bytes (VmRSS), null once the process is gone. */
export function rssBytes(pid: number): number | null {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /VmRSS:\s+(\d+) kB/.exec(status);
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/** Open file descriptors of a process (sockets included). */
export function openFds(pid: number): number | null {
  try {
    return fs.readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return null;
  }
}

export type PidSource = () => Promise<number[]> | number[];

export interface CpuSample {
  /** CPU-µs per named group over the window. */
  byGroup: Record<string, number>;
  total: number;
  wallMs: number;
}

/**
 * Measures CPU of named groups of processes over a window. Group membership is
 * read at start and again at stop (a connection pool may open backends in
 * between); a process that appears mid-window counts from its start, one that
 * exits mid-window is lost (disclosed in the README).
 */
export class CpuMeter {
  private startTimes = new Map<number, number>();
  private startedAt = 0;

  constructor(private readonly groups: Record<string, PidSource>) {}

  async start(): Promise<void> {
    this.startTimes.clear();
    for (const pids of await this.resolveAll()) {
      for (const pid of pids) {
        const t = cpuMicros(pid);
        if (t !== null) this.startTimes.set(pid, t);
      }
    }
    this.startedAt = performance.now();
  }

  async stop(): Promise<CpuSample> {
    const names = Object.keys(this.groups);
    const resolved = await this.resolveAll();
    const byGroup: Record<string, number> = {};
    let total = 0;
    resolved.forEach((pids, i) => {
      let sum = 0;
      for (const pid of new Set(pids)) {
        const now = cpuMicros(pid);
        if (now === null) continue;
        sum += now - (this.startTimes.get(pid) ?? 0);
      }
      byGroup[names[i] ?? `group${i}`] = sum;
      total += sum;
    });
    return { byGroup, total, wallMs: performance.now() - this.startedAt };
  }

  private async resolveAll(): Promise<number[][]> {
    return Promise.all(Object.values(this.groups).map(async (source) => source()));
  }
}

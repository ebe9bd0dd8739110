// A private Mosquitto on a free port (the machine's own holds 1883): the C
// broker every platform figure is compared against.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { freePort, startProcess, stopProcess, waitForPort } from './children';

export interface MosquittoProcess {
  proc: ChildProcess;
  pid: number;
  port: number;
  stop(): Promise<void>;
}

export function mosquittoVersion(): string {
  try {
    const out = execFileSync('mosquitto', ['-h'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return /mosquitto version (\S+)/.exec(out)?.[1] ?? 'unknown';
  } catch (error) {
    // `mosquitto -h` exits non-zero after printing its usage.
    const out = String((error as { stdout?: string }).stdout ?? '');
    return /mosquitto version (\S+)/.exec(out)?.[1] ?? 'unknown';
  }
}

export async function startMosquitto(cpus: string | null): Promise<MosquittoProcess> {
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'anxin-bench-mosquitto-'));
  const conf = path.join(dir, 'mosquitto.conf');
  // No persistence and no logging: the broker's own cost of receive → PUBACK → route.
  fs.writeFileSync(
    conf,
    [
      `listener ${port} 127.0.0.1`,
      'allow_anonymous true',
      'persistence false',
      'log_dest none',
      'max_connections -1',
      'max_queued_messages 10000',
      '',
    ].join('\n'),
  );
  const proc = startProcess('mosquitto', ['-c', conf], { cpus, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  proc.stderr?.on('data', (c: Buffer) => (err += c.toString()));
  try {
    await waitForPort(port);
  } catch (error) {
    await stopProcess(proc, 1_000);
    throw new Error(`mosquitto did not start: ${(error as Error).message}\n${err}`);
  }
  return {
    proc,
    pid: proc.pid ?? 0,
    port,
    stop: async () => {
      await stopProcess(proc, 3_000);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

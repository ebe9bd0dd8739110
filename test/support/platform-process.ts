import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAllIfJest } from './after-all';

// The repository root: two levels up in the source tree, further when the bench compiles this file.
let root = path.resolve(__dirname, '../..');
while (!fs.existsSync(path.join(root, 'package.json')) && path.dirname(root) !== root) root = path.dirname(root);
const MAIN = path.join(root, 'dist/apps/platform/main.js');

// A failed test must not leave platforms (and their embedded PostgreSQL) running.
const children = new Set<ChildProcess>();
afterAllIfJest(async () => {
  for (const child of children) {
    child.kill('SIGKILL');
    await exited(child);
  }
});

function launch(env: Record<string, string>): ChildProcess {
  const proc = spawn(process.execPath, [MAIN], {
    env: { PATH: process.env.PATH ?? '', HTTP_PORT: '0', MQTT_PORT: '0', HTTP_HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(proc);
  proc.once('exit', () => children.delete(proc));
  return proc;
}

export interface PlatformProcess {
  proc: ChildProcess;
  httpPort: number;
  mqttPort: number;
  output(): string;
  /** SIGTERM and wait; resolves with the exit code. */
  stop(): Promise<number | null>;
  kill9(): Promise<void>;
}

export function makeDataDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'anxin-data-'));
  fs.chmodSync(dir, 0o755);
  return dir;
}

export function exited(proc: ChildProcess): Promise<number | null> {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve(proc.exitCode);
  return new Promise((resolve) => proc.once('exit', (code) => resolve(code)));
}

/** Runs the built platform (`npm start`'s entry) as a real process and waits for its ready line. */
export function spawnPlatform(env: Record<string, string>, timeoutMs = 60_000): Promise<PlatformProcess> {
  const proc = launch(env);
  let out = '';
  proc.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  proc.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`platform not ready in ${timeoutMs} ms:\n${out}`));
    }, timeoutMs);
    const onData = () => {
      // only complete lines: a chunk may end mid-line
      const line = out
        .split('\n')
        .slice(0, -1)
        .find((l) => l.includes('Anxin ready'));
      if (!line) return;
      clearTimeout(timer);
      proc.stdout!.off('data', onData);
      const ready = JSON.parse(line) as { httpPort: number; mqttPort?: number };
      resolve({
        proc,
        httpPort: ready.httpPort,
        mqttPort: ready.mqttPort ?? 0,
        output: () => out,
        stop: () => {
          proc.kill('SIGTERM');
          return exited(proc);
        },
        kill9: async () => {
          proc.kill('SIGKILL');
          await exited(proc);
        },
      });
    };
    proc.stdout!.on('data', onData);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`platform exited with ${code} before ready:\n${out}`));
    });
  });
}

/** Runs the platform expecting it to fail at start; resolves with its exit code and output. */
export function runToFailure(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const proc = launch(env);
  let out = '';
  proc.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  proc.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const timer = setTimeout(() => proc.kill('SIGKILL'), 60_000);
  return exited(proc).then((code) => {
    clearTimeout(timer);
    return { code, output: out };
  });
}

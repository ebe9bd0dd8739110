import { type ChildProcess, execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAllIfJest } from './after-all';

/**
 * A redis-server of the test's own on a free port, so fault tests can kill, restart and pause it without
 * touching the machine's shared Redis on 6379.
 *
 *   const redis = await startPrivateRedis();
 *   env.REDIS_URL = redis.url;
 *   await redis.kill();     // SIGKILL, like a crash
 *   await redis.start();    // same port, empty data (no persistence)
 *   await redis.pause(10_000); // CLIENT PAUSE: connections stay open, commands stall
 *   await redis.stop();     // in afterAll
 */
export interface PrivateRedis {
  readonly port: number;
  readonly url: string;
  readonly running: boolean;
  /** Starts (or restarts) the server on the same port and waits for PONG. */
  start(): Promise<void>;
  /** SIGKILL and wait for the process to be gone (the port refuses connections afterwards). */
  kill(): Promise<void>;
  /** `CLIENT PAUSE <ms> ALL`: every client's commands stall for `ms`. */
  pause(ms: number): Promise<void>;
  /** Runs one redis-cli command against this server; resolves with its stdout. */
  cli(...args: string[]): Promise<string>;
  /** Stops the server for good and removes its directory. */
  stop(): Promise<void>;
}

// A failed test must not leave redis-servers running (outside jest, e.g. the bench, callers stop them).
const servers = new Set<PrivateRedis>();
afterAllIfJest(async () => {
  for (const server of servers) await server.stop();
});

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function run(file: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(file, args, { timeout: 10_000 }, (error, stdout, stderr) =>
      error ? reject(new Error(`${file} ${args.join(' ')}: ${error.message} ${stderr}`)) : resolve(stdout.trim()),
    ),
  );
}

function gone(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => proc.once('exit', () => resolve()));
}

export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'anxin-redis-'));
  let proc: ChildProcess | undefined;
  const cli = (...args: string[]) => run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args]);

  const start = async () => {
    if (proc && proc.exitCode === null && proc.signalCode === null) return;
    const child = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
      { stdio: 'ignore' },
    );
    proc = child;
    const deadline = Date.now() + 15_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`redis-server on ${port} exited with ${child.exitCode}`);
      if ((await cli('ping').catch(() => '')) === 'PONG') return;
      if (Date.now() > deadline) throw new Error(`redis-server on ${port} did not answer PONG`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  const kill = async () => {
    if (!proc) return;
    proc.kill('SIGKILL');
    await gone(proc);
  };

  const redis: PrivateRedis = {
    port,
    url: `redis://127.0.0.1:${port}`,
    get running() {
      return proc !== undefined && proc.exitCode === null && proc.signalCode === null;
    },
    start,
    kill,
    pause: async (ms) => {
      await cli('client', 'pause', String(ms), 'ALL');
    },
    cli,
    stop: async () => {
      servers.delete(redis);
      await kill();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  servers.add(redis);
  await start();
  return redis;
}

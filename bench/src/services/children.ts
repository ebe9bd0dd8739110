// Every process the bench starts goes through here, so each one is stopped by
// its own pid when the bench ends, fails or is interrupted — never by name.
import { type ChildProcess, execFileSync, fork, spawn, type SpawnOptions } from 'node:child_process';
import net from 'node:net';

const children = new Set<ChildProcess>();
let tasksetAvailable: boolean | null = null;

function hasTaskset(): boolean {
  if (tasksetAvailable === null) {
    try {
      execFileSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore' });
      tasksetAvailable = true;
    } catch {
      tasksetAvailable = false;
    }
  }
  return tasksetAvailable;
}

/** Pins a process and all its threads to `cpus` (e.g. "0"); a no-op where taskset is missing. */
export function pin(pid: number, cpus: string | null): boolean {
  if (cpus === null || !hasTaskset()) return false;
  try {
    execFileSync('taskset', ['-a', '-cp', cpus, String(pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export function pinningAvailable(): boolean {
  return hasTaskset();
}

function track(child: ChildProcess, cpus: string | null): ChildProcess {
  children.add(child);
  child.once('exit', () => children.delete(child));
  if (child.pid !== undefined) pin(child.pid, cpus);
  return child;
}

export function startProcess(
  command: string,
  args: string[],
  options: SpawnOptions & { cpus: string | null },
): ChildProcess {
  const { cpus, ...rest } = options;
  return track(spawn(command, args, rest), cpus);
}

/** A Node child with an IPC channel (the load generator, peers, consoles). */
export function startNode(
  script: string,
  args: string[],
  options: { cpus: string | null; env?: NodeJS.ProcessEnv; silent?: boolean; execArgv?: string[] },
): ChildProcess {
  return track(
    fork(script, args, {
      env: options.env ?? process.env,
      ...(options.execArgv ? { execArgv: options.execArgv } : {}),
      stdio: options.silent === false ? ['ignore', 'inherit', 'inherit', 'ipc'] : ['ignore', 'pipe', 'pipe', 'ipc'],
    }),
    options.cpus,
  );
}

export function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** SIGTERM, then SIGKILL after `graceMs`. */
export async function stopProcess(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited(child);
  clearTimeout(timer);
}

export async function stopAllProcesses(): Promise<void> {
  await Promise.all([...children].map((c) => stopProcess(c, 3_000)));
}

/** Last resort on a crash or Ctrl-C: every child we started, by pid. */
export function killAllProcessesNow(): void {
  for (const child of children) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
}

const RESERVED_PORTS = new Set([3000, 1883]);

/** A free TCP port on loopback (never 3000 or 1883, which others on this machine hold). */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = net.createServer();
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const address = server.address() as net.AddressInfo;
        server.close(() => resolve(address.port));
      });
    });
    if (!RESERVED_PORTS.has(port)) return port;
  }
}

/** Waits until something accepts TCP connections on the port. */
export async function waitForPort(port: number, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect({ host: '127.0.0.1', port });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing listening on port ${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

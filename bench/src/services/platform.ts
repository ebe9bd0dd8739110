// The built platform (dist/apps/platform/main.js) as its own process on the
// bench database, pinned to the server core, exactly as `npm start` runs it
// against a PostgreSQL server (CONTRACT §1: DATABASE_URL, HTTP_PORT, MQTT_PORT).
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { freePort, startProcess, stopProcess } from './children';
import { PLATFORM_MAIN } from './paths';
import type { BenchDatabase } from './postgres';

export const ADMIN_PASSWORD = 'bench-admin-password';

export interface PlatformProcess {
  proc: ChildProcess;
  pid: number;
  httpPort: number;
  mqttPort: number;
  baseUrl: string;
  output(): string;
  /** Lines the process has written to stdout and stderr so far (its log volume, S9). */
  logLines(): number;
  stop(): Promise<void>;
}

/** The node flags of `npm start` and the Docker image: a 64 MiB young generation (≈ 60 % less GC time under load). */
const START_NODE_FLAGS = ['--max-semi-space-size=64'];
/** Extra node flags for every platform the bench starts, e.g. `--cpu-prof --cpu-prof-dir=/tmp/p` to find stalls. */
const PLATFORM_LOG = process.env.BENCH_PLATFORM_LOG;
const EXTRA_NODE_FLAGS = (process.env.BENCH_PLATFORM_FLAGS ?? '').split(' ').filter(Boolean);
/** Extra environment for every platform the bench starts (`NAME=value NAME2=value`), e.g. to try a setting. */
const EXTRA_ENV = Object.fromEntries(
  (process.env.BENCH_PLATFORM_ENV ?? '')
    .split(' ')
    .filter(Boolean)
    .map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]),
);

export async function startPlatform(
  db: BenchDatabase,
  opts: {
    cpus: string | null;
    queuePrefix: string;
    env?: Record<string, string>;
    ports?: { http: number; mqtt: number };
    /** Another build's main.js (an A/B of two builds) and extra node flags (e.g. --inspect for a profile). */
    main?: string;
    nodeArgs?: string[];
  },
): Promise<PlatformProcess> {
  const httpPort = opts.ports?.http ?? (await freePort());
  const mqttPort = opts.ports?.mqtt ?? (await freePort());
  const proc = startProcess(
    process.execPath,
    [...START_NODE_FLAGS, ...EXTRA_NODE_FLAGS, ...(opts.nodeArgs ?? []), opts.main ?? PLATFORM_MAIN],
    {
      cpus: opts.cpus,
      env: {
        PATH: process.env.PATH ?? '',
        DATABASE_URL: db.url,
        HTTP_PORT: String(httpPort),
        HTTP_HOST: '127.0.0.1',
        MQTT_PORT: String(mqttPort),
        MQTT_HOST: '127.0.0.1',
        ANXIN_ADMIN_PASSWORD: ADMIN_PASSWORD,
        ANXIN_QUEUE_PREFIX: opts.queuePrefix,
        LOG_LEVEL: 'warn',
        ...EXTRA_ENV,
        ...opts.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  let lines = 0;
  const keep = (chunk: Buffer) => {
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines += 1;
    out += chunk.toString();
    if (out.length > 200_000) out = out.slice(-100_000);
  };
  proc.stdout?.on('data', keep);
  proc.stderr?.on('data', keep);
  // BENCH_PLATFORM_LOG=<file>: everything the platform writes, kept whole (e.g. with --trace-gc in BENCH_PLATFORM_FLAGS).
  if (PLATFORM_LOG) {
    const file = fs.createWriteStream(PLATFORM_LOG, { flags: 'a' });
    proc.stdout?.pipe(file, { end: false });
    proc.stderr?.pipe(file, { end: false });
  }
  const baseUrl = `http://127.0.0.1:${httpPort}`;
  const deadline = Date.now() + 90_000;
  // LOG_LEVEL=warn keeps per-request logging off the measured path; readiness comes from /health.
  for (;;) {
    if (proc.exitCode !== null)
      throw new Error(`platform exited with ${proc.exitCode} before ready:\n${out.slice(-4000)}`);
    try {
      const res = await fetch(`${baseUrl}/api/v1/health`, { signal: AbortSignal.timeout(2_000) });
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stopProcess(proc, 1_000);
      throw new Error(`platform not ready after 90 s:\n${out.slice(-4000)}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    proc,
    pid: proc.pid ?? 0,
    httpPort,
    mqttPort,
    baseUrl,
    output: () => out,
    logLines: () => lines,
    stop: () => stopProcess(proc, 12_000),
  };
}

// Disclosure (BENCHMARKS.md method 8): what these figures were measured on.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pinningAvailable } from './services/children';
import { mosquittoVersion } from './services/mosquitto';
import { REPO_ROOT } from './services/paths';

export interface MachineFacts {
  cpuModel: string;
  cores: number;
  cpuMHz: number | null;
  memoryGiB: number;
  kernel: string;
  node: string;
  openFileLimit: string;
  loadAverageAtStart: number[];
  pinning: string;
  versions: Record<string, string>;
}

export function packageVersion(name: string): string {
  try {
    const manifest = JSON.parse(
      fs.readFileSync(path.join(REPO_ROOT, 'node_modules', name, 'package.json'), 'utf8'),
    ) as { version?: string };
    return manifest.version ?? 'unknown';
  } catch {
    return 'not installed';
  }
}

function cpuInfo(): { model: string; mhz: number | null } {
  try {
    const text = fs.readFileSync('/proc/cpuinfo', 'utf8');
    const model = /^model name\s*:\s*(.+)$/m.exec(text)?.[1]?.trim() ?? os.cpus()[0]?.model ?? 'unknown';
    const mhz = /^cpu MHz\s*:\s*([\d.]+)$/m.exec(text)?.[1];
    return { model, mhz: mhz ? Math.round(Number(mhz)) : null };
  } catch {
    return { model: os.cpus()[0]?.model ?? 'unknown', mhz: null };
  }
}

function openFileLimit(): string {
  try {
    const limits = fs.readFileSync('/proc/self/limits', 'utf8');
    const line = /^Max open files\s+(\S+)\s+(\S+)/m.exec(limits);
    return line ? `${line[1]} soft / ${line[2]} hard per process` : 'unknown';
  } catch {
    return 'unknown';
  }
}

export function machineFacts(extra: Record<string, string>, serverCpus: string, generatorCpus: string): MachineFacts {
  const cpu = cpuInfo();
  return {
    cpuModel: cpu.model,
    cores: os.cpus().length,
    cpuMHz: cpu.mhz,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    kernel: `${os.type()} ${os.release()}`,
    node: process.version,
    openFileLimit: openFileLimit(),
    loadAverageAtStart: os.loadavg().map((l) => Math.round(l * 100) / 100),
    pinning: pinningAvailable()
      ? `taskset: servers (platform, Mosquitto, peer servers) on CPU ${serverCpus}; load generator, consoles and bench on CPU ${generatorCpus}; PostgreSQL and Redis are the machine's shared servers, unpinned`
      : 'taskset unavailable: nothing pinned',
    versions: {
      mosquitto: mosquittoVersion(),
      aedes: packageVersion('aedes'),
      'socket.io': packageVersion('socket.io'),
      'socket.io-client': packageVersion('socket.io-client'),
      bullmq: packageVersion('bullmq'),
      'mqtt-packet': packageVersion('mqtt-packet'),
      'mqtt (relay subscriber)': packageVersion('mqtt'),
      pg: packageVersion('pg'),
      'pg-copy-streams': packageVersion('pg-copy-streams'),
      'hdr-histogram-js': packageVersion('hdr-histogram-js'),
      ...extra,
    },
  };
}

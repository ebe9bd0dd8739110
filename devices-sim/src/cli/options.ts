// Command line of `npm run sim` (CONTRACT §5), parsed once into typed options.
import { parseArgs } from 'node:util';
import { DEVICE_TYPES, type DeviceType } from '@anxin/contract';
import { findScenario, MIXED_HOMES, SCENARIO_NAMES, scenarioHelpLines } from '../scenarios/catalogue';
import { FAULT_SECONDS } from '../scenarios/incidents';
import type { BrokerAddress } from '../transport/raw-client';

export interface SimOptions {
  api: string;
  mqtt: BrokerAddress;
  mqttUrl: string;
  username: string;
  password: string;
  homes: number;
  durationSeconds: number;
  scenario: string;
  /** Only this many homes (picked at random, seeded) play their scenario; the rest run the routine. */
  incidents?: number | null;
  report: string | null;
  seed: number;
  credentials: string | null;
  orgUnitId: string | null;
  rate: number;
  mix: DeviceType[];
  graceSeconds: number;
  daySeconds: number;
  telemetryQos: 0 | 1;
  keepaliveSeconds: number;
  timeZone: string;
  connectConcurrency: number;
  provisionConcurrency: number;
  /** Shell command that starts an infrastructure fault (infra_blip), run as typed. */
  faultCommand?: string;
  /** Shell command that ends it, run FAULT_SECONDS after the fault command. */
  faultRecoverCommand?: string;
}

export class UsageError extends Error {}

const SPEC = {
  api: { type: 'string' },
  mqtt: { type: 'string' },
  username: { type: 'string' },
  password: { type: 'string' },
  homes: { type: 'string' },
  duration: { type: 'string' },
  scenario: { type: 'string' },
  incidents: { type: 'string' },
  report: { type: 'string' },
  seed: { type: 'string' },
  credentials: { type: 'string' },
  'org-unit': { type: 'string' },
  rate: { type: 'string' },
  mix: { type: 'string' },
  grace: { type: 'string' },
  'day-seconds': { type: 'string' },
  'telemetry-qos': { type: 'string' },
  keepalive: { type: 'string' },
  timezone: { type: 'string' },
  'connect-concurrency': { type: 'string' },
  'provision-concurrency': { type: 'string' },
  'fault-command': { type: 'string' },
  'fault-recover-command': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export function helpText(): string {
  return [
    'Anxin device simulator: provisions (or reuses) simulated homes through the HTTP API, runs their',
    "devices over MQTT, injects the scenario's incidents, watches /console and reports what was missed.",
    '',
    'Usage: npm run sim -- --api <http url> --mqtt <mqtt url> --username <u> --password <p>',
    '                      --homes <n> --duration <seconds> --scenario <name> --report <file.json>',
    '',
    'Options:',
    '  --api <url>                  HTTP API base, e.g. http://127.0.0.1:3000 (required)',
    '  --mqtt <url>                 broker, mqtt://host:port or mqtts://host:port (required)',
    '  --username, --password       an admin or operator account (required)',
    `  --homes <n>                  homes to simulate, one resident each (default ${MIXED_HOMES}: every scenario once)`,
    '  --duration <seconds>         how long incidents are injected and devices report (default 40)',
    '  --scenario <name>            see below (default mixed)',
    '  --incidents <n>              only n homes, picked at random, play their scenario; the rest run the',
    '                               routine (default: every home), e.g. a slow demo pace',
    '  --report <file.json>         write the JSON report here',
    '  --seed <n>                   make placement, routines and timing reproducible (default random)',
    '  --credentials <file>         reuse the homes in this file; new ones are provisioned and saved to it',
    '  --org-unit <id>              put new homes in this org unit (default: a new community under yours)',
    '  --rate <msg/s>               telemetry messages per second per device (default 1)',
    `  --mix <types>                device types per home, comma-separated (default all: ${DEVICE_TYPES.join(',')})`,
    '  --grace <seconds>            wait this long after --duration for late alerts (default 20)',
    '  --day-seconds <seconds>      wall seconds per simulated day of routine (default 120)',
    '  --telemetry-qos <0|1>        QoS of telemetry; events are always QoS 1 (default 1)',
    '  --keepalive <seconds>        MQTT keepalive (default 30)',
    '  --timezone <tz>              the platform time zone, for night windows (default Asia/Shanghai)',
    '  --connect-concurrency <n>    devices dialling at once (default 100)',
    '  --provision-concurrency <n>  HTTP requests at once while provisioning (default 8)',
    '  --fault-command <cmd>        infra_blip only (required there): shell command that starts a platform',
    '                               Redis or database outage, run as typed with /bin/sh at the fault step,',
    "                               e.g. 'redis-cli -p 6390 client pause 10000 all'; its exit code is reported",
    '  --fault-recover-command <cmd>',
    `                               run ${FAULT_SECONDS} s after --fault-command to end the fault (default: it ends by itself)`,
    '  -h, --help                   this text',
    '',
    'Scenarios (→ the alert the platform must raise):',
    ...scenarioHelpLines(),
    '',
    'Exit code: 0 when no alert was missed, none was false and every fault command exited 0;',
    '1 otherwise, 2 for bad usage.',
  ].join('\n');
}

/** Returns null when `--help` was asked for. */
export function parseOptions(argv: string[]): SimOptions | null {
  let values: Partial<Record<keyof typeof SPEC, string | boolean>>;
  try {
    ({ values } = parseArgs({ args: argv, options: SPEC, strict: true, allowPositionals: false }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) return null;
  const str = (name: keyof typeof SPEC): string | undefined => values[name] as string | undefined;
  const missing = (['api', 'mqtt', 'username', 'password'] as const).filter((name) => !str(name));
  if (missing.length > 0) throw new UsageError(`missing ${missing.map((n) => `--${n}`).join(', ')}`);
  const required = (name: keyof typeof SPEC): string => {
    const v = str(name);
    if (!v) throw new UsageError(`--${name} is required`);
    return v;
  };
  const num = (name: keyof typeof SPEC, fallback: number, min: number, max: number, integer = true): number => {
    const raw = str(name);
    if (raw === undefined) return fallback;
    const v = Number(raw);
    if (!Number.isFinite(v) || (integer && !Number.isInteger(v)) || v < min || v > max) {
      throw new UsageError(
        `--${name} must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}, got "${raw}"`,
      );
    }
    return v;
  };
  const scenario = str('scenario') ?? 'mixed';
  if (!SCENARIO_NAMES.includes(scenario)) {
    throw new UsageError(`--scenario: unknown "${scenario}"; one of ${SCENARIO_NAMES.join(', ')}`);
  }
  const faults = parseFaultCommands(scenario, str('fault-command'), str('fault-recover-command'));
  const qos = num('telemetry-qos', 1, 0, 1) as 0 | 1;
  const timeZone = str('timezone') ?? 'Asia/Shanghai';
  try {
    new Intl.DateTimeFormat('en', { timeZone });
  } catch {
    throw new UsageError(`--timezone: unknown time zone "${timeZone}"`);
  }
  const mqttUrl = required('mqtt');
  return {
    api: parseApiUrl(required('api')),
    mqtt: parseBrokerUrl(mqttUrl),
    mqttUrl,
    username: required('username'),
    password: required('password'),
    homes: num('homes', MIXED_HOMES, 1, 100_000),
    durationSeconds: num('duration', 40, 1, 7 * 86_400),
    scenario,
    incidents: str('incidents') === undefined ? null : num('incidents', 0, 0, 100_000),
    report: str('report') ?? null,
    seed: num('seed', Math.floor(Math.random() * 2 ** 31), 0, 2 ** 32 - 1),
    credentials: str('credentials') ?? null,
    orgUnitId: str('org-unit') ?? null,
    rate: num('rate', 1, 0.001, 100, false),
    mix: parseMix(str('mix')),
    graceSeconds: num('grace', 20, 0, 3_600),
    daySeconds: num('day-seconds', 120, 10, 86_400),
    telemetryQos: qos,
    keepaliveSeconds: num('keepalive', 30, 5, 3_600),
    timeZone,
    connectConcurrency: num('connect-concurrency', 100, 1, 10_000),
    provisionConcurrency: num('provision-concurrency', 8, 1, 256),
    ...faults,
  };
}

/** A fault scenario without a real fault proves nothing; a fault command no scenario runs is a mistake. */
function parseFaultCommands(
  scenario: string,
  command: string | undefined,
  recover: string | undefined,
): Pick<SimOptions, 'faultCommand' | 'faultRecoverCommand'> {
  for (const [name, value] of [
    ['fault-command', command],
    ['fault-recover-command', recover],
  ] as const) {
    if (value !== undefined && value.trim() === '') throw new UsageError(`--${name} is empty`);
  }
  const needsFault = findScenario(scenario)?.needsFault === true;
  if (needsFault && command === undefined) {
    throw new UsageError(
      `--scenario ${scenario} needs --fault-command (a command that makes the platform's Redis or database ` +
        'briefly unavailable): without a real outage it proves nothing',
    );
  }
  if (!needsFault && (command !== undefined || recover !== undefined)) {
    throw new UsageError(`--fault-command is only run by fault scenarios (infra_blip), not by --scenario ${scenario}`);
  }
  return { ...(command && { faultCommand: command }), ...(recover && { faultRecoverCommand: recover }) };
}

function parseApiUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`--api: not a URL: "${raw}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new UsageError('--api must be an http:// or https:// URL');
  return url.origin;
}

export function parseBrokerUrl(raw: string): BrokerAddress {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`--mqtt: not a URL: "${raw}"`);
  }
  // URL keeps IPv6 literals in brackets; sockets want them bare.
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (url.protocol === 'mqtt:' || url.protocol === 'tcp:') return { host, port: Number(url.port || 1883), tls: false };
  if (url.protocol === 'mqtts:' || url.protocol === 'ssl:') return { host, port: Number(url.port || 8883), tls: true };
  throw new UsageError('--mqtt must be mqtt://host:port or mqtts://host:port (the simulator speaks MQTT over TCP)');
}

function parseMix(raw: string | undefined): DeviceType[] {
  if (raw === undefined) return [...DEVICE_TYPES];
  const types = raw
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
  for (const t of types) {
    if (!(DEVICE_TYPES as readonly string[]).includes(t)) {
      throw new UsageError(`--mix: unknown device type "${t}"; one of ${DEVICE_TYPES.join(', ')}`);
    }
  }
  return [...new Set(types)] as DeviceType[];
}

import { isIP } from 'node:net';
import path from 'node:path';

/**
 * The one place that reads `process.env` (STYLE: config). Parsed once at start;
 * a bad value throws a ConfigError whose message is one line naming the variable.
 */
export interface AppConfig {
  http: {
    port: number;
    host: string;
    /** Proxies (addresses / CIDRs) whose X-Forwarded-For is believed; none by default (express 'trust proxy'). */
    trustedProxies: string[];
    /** Bearer token for GET /metrics; without one, /metrics answers loopback clients only. */
    metricsToken: string | null;
  };
  mqtt: {
    port: number;
    host: string;
    tls: { port: number; certPath: string; keyPath: string } | null;
    /** Connections still waiting for their CONNECT to be answered; beyond this, new ones are closed. */
    maxPendingConnections: number;
    /** Time a new connection has to send its CONNECT and have it answered, on every front-end. */
    connectTimeoutMs: number;
  };
  ingest: {
    telemetryRetentionDays: number;
    telemetryFlushMs: number;
    telemetryBatchSize: number;
    telemetryBufferMax: number;
    /** Bytes of readings read from sockets that may wait in line beyond the buffer before sockets stop being read. */
    telemetryHoldBytes: number;
    offlineSweepSeconds: number;
    commandTtlSeconds: number;
  };
  /** `personalDataKey`: ANXIN_DATA_KEY, the key ID numbers are encrypted with (personal-data-key.ts). */
  database: { url: string | null; dataDir: string; personalDataKey: string | undefined };
  redis: { url: string | null };
  auth: {
    jwtSecret: string | null;
    tokenTtlSeconds: number;
    adminPassword: string | null;
    /** Failed logins per (username, address), and per address, before each further try must wait. */
    loginMaxFailuresPerUser: number;
    loginMaxFailuresPerAddress: number;
    /** The first wait; it doubles with each further failure up to loginWindowSeconds. */
    loginDelaySeconds: number;
    /** The longest wait, and how long a failure is remembered. */
    loginWindowSeconds: number;
    /** Password hashes computed at once (each is a core's work), and how many more may wait before a 429. */
    passwordHashConcurrency: number;
    passwordHashQueue: number;
  };
  time: { timezone: string };
  alerts: {
    /** Seconds an unacknowledged alert waits before each escalation step; 0 = never escalates. */
    escalateAfterSeconds: Record<'critical' | 'high' | 'medium' | 'low', number>;
    maxEscalationLevel: number;
    notifyWebhookUrl: string | null;
    /** HMAC-SHA256 key for the X-Anxin-Signature header of each webhook POST (docs/NOTIFICATIONS.md). */
    notifyWebhookSecret: string | null;
    /** Tries per notification before it is recorded as failed; retries back off exponentially from notifyRetrySeconds. */
    notifyMaxAttempts: number;
    notifyRetrySeconds: number;
    inactivitySweepSeconds: number;
    /** Telemetry readings waiting for the telemetry rules, at most; beyond it readings skip the rules (they are stored). */
    ruleIntakeMax: number;
  };
  queue: { prefix: string };
  dispatch: {
    offerTimeoutSeconds: Record<'emergency' | 'other', number>;
    maintenanceOrders: boolean;
    /** A device fault (offline, low battery, readings missing) still open this long opens one maintenance order. */
    maintenanceAfterSeconds: number;
    /** broadcast: an emergency is offered to every eligible caregiver at once; sequential: one at a time. */
    emergencyOfferStrategy: EmergencyOfferStrategy;
    /** An accepted emergency not on site within this is flagged to the operators once. */
    arrivalSlaSeconds: number;
    /** A care-plan order is created and offered this long before its slot (issue 16: not a day ahead). */
    carePlanLeadSeconds: number;
  };
  log: { level: string };
}

export const EMERGENCY_OFFER_STRATEGIES = ['broadcast', 'sequential'] as const;
export type EmergencyOfferStrategy = (typeof EMERGENCY_OFFER_STRATEGIES)[number];

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`${variable}: ${problem}`);
  }
}

type Env = Record<string, string | undefined>;

function readPort(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError(name, `must be a port number 0-65535, got "${raw}"`);
  }
  return port;
}

function readPositiveInt(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) {
    throw new ConfigError(name, `must be a positive integer, got "${raw}"`);
  }
  return value;
}

function readNonNegativeInt(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new ConfigError(name, `must be a whole number ≥ 0, got "${raw}"`);
  return value;
}

function readUrl(env: Env, name: string, protocols: string[]): string | null {
  const raw = env[name];
  if (raw === undefined || raw === '') return null;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(name, `is not a valid URL`);
  }
  if (!protocols.includes(url.protocol)) {
    throw new ConfigError(name, `must start with ${protocols.map((p) => `${p}//`).join(' or ')}`);
  }
  return raw;
}

function readTimezone(env: Env): string {
  const name = env.ANXIN_TIMEZONE ? 'ANXIN_TIMEZONE' : 'TZ';
  const raw = env.ANXIN_TIMEZONE || env.TZ || 'Asia/Shanghai';
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: raw });
  } catch {
    throw new ConfigError(name, `unknown time zone "${raw}"`);
  }
  return raw;
}

function readDuration(env: Env, name: string, fallbackSeconds: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallbackSeconds;
  const match = /^(\d+)\s*(s|m|h|d)?$/.exec(raw.trim());
  if (!match || Number(match[1]) <= 0) {
    throw new ConfigError(name, `must be a duration like 3600, 90m, 12h or 7d, got "${raw}"`);
  }
  const unit = { s: 1, m: 60, h: 3600, d: 86400 }[(match[2] ?? 's') as 's' | 'm' | 'h' | 'd'];
  return Number(match[1]) * unit;
}

function readChoice<T extends string>(env: Env, name: string, choices: readonly T[], fallback: T): T {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!choices.includes(raw as T)) throw new ConfigError(name, `must be one of ${choices.join(', ')}, got "${raw}"`);
  return raw as T;
}

const PROXY_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

/** A comma-separated list of IP addresses, CIDRs or express' names (loopback, linklocal, uniquelocal). */
function readTrustedProxies(env: Env, name: string): string[] {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return [];
  return raw.split(',').map((entry) => {
    const value = entry.trim();
    const [address, bits, extra] = value.split('/');
    const family = isIP(address ?? '');
    const maxBits = family === 6 ? 128 : 32;
    const bitsOk = bits === undefined || (/^\d+$/.test(bits) && Number(bits) <= maxBits);
    if (PROXY_NAMES.includes(value) || (family !== 0 && bitsOk && extra === undefined)) return value;
    throw new ConfigError(name, `"${value}" is not an IP address, a CIDR or one of ${PROXY_NAMES.join(', ')}`);
  });
}

function readTls(env: Env): AppConfig['mqtt']['tls'] {
  if (!env.MQTTS_PORT) return null;
  const port = readPort(env, 'MQTTS_PORT', 8883);
  const certPath = env.MQTTS_CERT;
  const keyPath = env.MQTTS_KEY;
  if (!certPath) throw new ConfigError('MQTTS_CERT', 'is required when MQTTS_PORT is set (path to a PEM certificate)');
  if (!keyPath) throw new ConfigError('MQTTS_KEY', 'is required when MQTTS_PORT is set (path to a PEM private key)');
  return { port, certPath, keyPath };
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function readMetricsToken(env: Env, name: string): string | null {
  const token = env[name] || null;
  if (token !== null && token.length < 16) throw new ConfigError(name, 'must be at least 16 characters');
  return token;
}

function readDataKey(env: Env, name: string): string | undefined {
  const key = env[name] || undefined;
  if (key !== undefined && Buffer.from(key, 'base64').length !== 32)
    throw new ConfigError(name, 'must be 32 bytes, base64-encoded (openssl rand -base64 32)');
  return key;
}

export function loadConfig(env: Env = process.env, cwd: string = process.cwd()): AppConfig {
  const logLevel = env.LOG_LEVEL || 'info';
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError('LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}`);
  }
  const jwtSecret = env.ANXIN_JWT_SECRET || null;
  if (jwtSecret !== null && jwtSecret.length < 32) {
    throw new ConfigError('ANXIN_JWT_SECRET', 'must be at least 32 characters');
  }
  const adminPassword = env.ANXIN_ADMIN_PASSWORD || null;
  if (adminPassword !== null && adminPassword.length < 8) {
    throw new ConfigError('ANXIN_ADMIN_PASSWORD', 'must be at least 8 characters');
  }
  return {
    http: {
      port: readPort(env, 'HTTP_PORT', 3000),
      host: env.HTTP_HOST || '0.0.0.0',
      trustedProxies: readTrustedProxies(env, 'ANXIN_TRUSTED_PROXIES'),
      metricsToken: readMetricsToken(env, 'ANXIN_METRICS_TOKEN'),
    },
    mqtt: {
      port: readPort(env, 'MQTT_PORT', 1883),
      host: env.MQTT_HOST || '0.0.0.0',
      tls: readTls(env),
      maxPendingConnections: readPositiveInt(env, 'ANXIN_MQTT_MAX_PENDING_CONNECTIONS', 5000),
      connectTimeoutMs: readDuration(env, 'ANXIN_MQTT_CONNECT_TIMEOUT', 30) * 1000,
    },
    ingest: {
      telemetryRetentionDays: readPositiveInt(env, 'ANXIN_TELEMETRY_RETENTION_DAYS', 30),
      telemetryFlushMs: readPositiveInt(env, 'ANXIN_TELEMETRY_FLUSH_MS', 25),
      telemetryBatchSize: readPositiveInt(env, 'ANXIN_TELEMETRY_BATCH_SIZE', 2000),
      telemetryBufferMax: readPositiveInt(env, 'ANXIN_TELEMETRY_BUFFER_MAX', 10_000),
      telemetryHoldBytes: readPositiveInt(env, 'ANXIN_INGEST_HOLD_MB', 128) * 1024 * 1024,
      offlineSweepSeconds: readPositiveInt(env, 'ANXIN_OFFLINE_SWEEP_SECONDS', 5),
      commandTtlSeconds: readDuration(env, 'ANXIN_COMMAND_TTL', 300),
    },
    database: {
      url: readUrl(env, 'DATABASE_URL', ['postgres:', 'postgresql:']),
      dataDir: path.resolve(cwd, env.ANXIN_DATA_DIR || './data'),
      personalDataKey: readDataKey(env, 'ANXIN_DATA_KEY'),
    },
    redis: { url: readUrl(env, 'REDIS_URL', ['redis:', 'rediss:']) },
    auth: {
      jwtSecret,
      tokenTtlSeconds: readDuration(env, 'ANXIN_TOKEN_TTL', 12 * 3600),
      adminPassword,
      loginMaxFailuresPerUser: readPositiveInt(env, 'ANXIN_LOGIN_MAX_FAILURES', 5),
      loginMaxFailuresPerAddress: readPositiveInt(env, 'ANXIN_LOGIN_MAX_FAILURES_PER_ADDRESS', 20),
      loginDelaySeconds: readDuration(env, 'ANXIN_LOGIN_DELAY', 30),
      loginWindowSeconds: readDuration(env, 'ANXIN_LOGIN_WINDOW', 15 * 60),
      passwordHashConcurrency: readPositiveInt(env, 'ANXIN_PASSWORD_HASH_CONCURRENCY', 1),
      passwordHashQueue: readNonNegativeInt(env, 'ANXIN_PASSWORD_HASH_QUEUE', 16),
    },
    time: { timezone: readTimezone(env) },
    alerts: {
      escalateAfterSeconds: {
        critical: readNonNegativeInt(env, 'ANXIN_ESCALATE_CRITICAL_SECONDS', 60),
        high: readNonNegativeInt(env, 'ANXIN_ESCALATE_HIGH_SECONDS', 180),
        medium: readNonNegativeInt(env, 'ANXIN_ESCALATE_MEDIUM_SECONDS', 0),
        low: readNonNegativeInt(env, 'ANXIN_ESCALATE_LOW_SECONDS', 0),
      },
      maxEscalationLevel: readPositiveInt(env, 'ANXIN_ESCALATE_MAX_LEVEL', 3),
      notifyWebhookUrl: readUrl(env, 'ANXIN_NOTIFY_WEBHOOK_URL', ['http:', 'https:']),
      notifyWebhookSecret: env.ANXIN_NOTIFY_WEBHOOK_SECRET || null,
      notifyMaxAttempts: readPositiveInt(env, 'ANXIN_NOTIFY_MAX_ATTEMPTS', 6),
      notifyRetrySeconds: readPositiveInt(env, 'ANXIN_NOTIFY_RETRY_SECONDS', 10),
      inactivitySweepSeconds: readPositiveInt(env, 'ANXIN_INACTIVITY_SWEEP_SECONDS', 5),
      ruleIntakeMax: readPositiveInt(env, 'ANXIN_RULE_INTAKE_MAX', 20000),
    },
    queue: { prefix: env.ANXIN_QUEUE_PREFIX || 'anxin' },
    dispatch: {
      offerTimeoutSeconds: {
        emergency: readPositiveInt(env, 'ANXIN_OFFER_TIMEOUT_EMERGENCY_SECONDS', 60),
        other: readPositiveInt(env, 'ANXIN_OFFER_TIMEOUT_SECONDS', 600),
      },
      maintenanceOrders: (env.ANXIN_MAINTENANCE_ORDERS ?? 'true') !== 'false',
      maintenanceAfterSeconds: readDuration(env, 'ANXIN_MAINTENANCE_AFTER_SECONDS', 2 * 3600),
      emergencyOfferStrategy: readChoice(
        env,
        'ANXIN_EMERGENCY_OFFER_STRATEGY',
        EMERGENCY_OFFER_STRATEGIES,
        'broadcast',
      ),
      arrivalSlaSeconds: readDuration(env, 'ANXIN_ARRIVAL_SLA_SECONDS', 15 * 60),
      carePlanLeadSeconds: readDuration(env, 'ANXIN_CARE_PLAN_LEAD', 2 * 3600),
    },
    log: { level: logLevel },
  };
}

export const APP_CONFIG = Symbol('APP_CONFIG');

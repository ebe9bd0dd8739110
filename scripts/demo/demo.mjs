// `npm run demo` (CONTRACT §1): the platform as `npm start` runs it, plus seeded
// demo data and the device simulator driving simulated homes, so a newcomer
// sees live alerts.
//
//   1. start dist/apps/platform/main.js (embedded PostgreSQL under ANXIN_DATA_DIR,
//      default ./data-demo), wait for its ready line, pass on its warnings and errors;
//   2. seed the demo organisation once (marker: <data dir>/demo-seeded.json);
//   3. run the simulator in rounds of DEMO_ROUND_SECONDS over the twelve seeded
//      homes (`--scenario mixed`: one incident per home per round);
//   4. print the alerts as they are raised; Ctrl-C stops the simulator, then the platform.
//
// `npm run demo` builds first; this file expects dist/ to be current.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { clearTimeout, setTimeout } from 'node:timers';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { io } from 'socket.io-client';
import { Api, ApiError } from './http.mjs';
import { DEMO_PASSWORD, SERVICE_ORGS, STATIONS, seed, simCredentialsFor } from './seed.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const PLATFORM_MAIN = path.join(ROOT, 'dist/apps/platform/main.js');
const SIM_MAIN = path.join(ROOT, 'dist/devices-sim/main.js');

const env = process.env;
const HTTP_PORT = env.HTTP_PORT || '3000';
const MQTT_PORT = env.MQTT_PORT || '1883';
const DATA_DIR = path.resolve(env.ANXIN_DATA_DIR || 'data-demo');
const TIME_ZONE = env.ANXIN_TIMEZONE || env.TZ || 'Asia/Shanghai';
const ROUND_SECONDS = positiveInt(env.DEMO_ROUND_SECONDS, 240);
const DEFAULT_ADMIN_PASSWORD = 'anxin-demo';
/** The 12 seeded homes; `mixed` gives them the first 12 incidents of the simulator's catalogue. */
const HOMES = 12;

const FILES = {
  credentials: path.join(DATA_DIR, 'demo-credentials.json'),
  marker: path.join(DATA_DIR, 'demo-seeded.json'),
  simCredentials: path.join(DATA_DIR, 'demo-homes.credentials.json'),
  // Outside the data dir: read for the round's summary line, then deleted.
  simReport: path.join(os.tmpdir(), `anxin-demo-sim-report-${process.pid}.json`),
  simLog: path.join(DATA_DIR, 'demo-sim.log'),
  platformLog: path.join(DATA_DIR, 'demo-platform.log'),
};

const tty = process.stdout.isTTY === true;
const paint = (/** @type {string} */ code, /** @type {string} */ s) => (tty ? `\x1b[${code}m${s}\x1b[0m` : s);
const say = (/** @type {string} */ line) => process.stdout.write(`${line}\n`);
const note = (/** @type {string} */ line) => say(paint('2', `[demo] ${line}`));
const warn = (/** @type {string} */ line) => process.stderr.write(`${paint('33', `[demo] ${line}`)}\n`);

/** @type {import('node:child_process').ChildProcess | null} */
let platform = null;
/** @type {import('node:child_process').ChildProcess | null} */
let sim = null;
/** @type {import('socket.io-client').Socket | null} */
let watcher = null;
let stopping = false;
/** @type {Promise<void> | null} */
let stopped = null;

main().catch((error) => {
  if (stopping) return;
  warn(`failed: ${error instanceof Error ? error.message : String(error)}`);
  void shutdown(1);
});

async function main() {
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => onSignal(signal));
  process.on('exit', killLeftovers);
  for (const file of [PLATFORM_MAIN, SIM_MAIN]) {
    if (!fs.existsSync(file)) throw new Error(`${path.relative(ROOT, file)} is missing: run \`npm run demo\``);
  }
  fs.mkdirSync(DATA_DIR, { recursive: true });
  keepOutOfGit(DATA_DIR);

  // ANXIN_ADMIN_PASSWORD only counts on the first start of a data dir: remember what it was.
  const saved = readJson(FILES.credentials);
  const adminPassword = saved?.adminPassword || env.ANXIN_ADMIN_PASSWORD || DEFAULT_ADMIN_PASSWORD;
  // Remembered before a first start (no embedded database yet), when the platform will take it.
  if (!saved && !fs.existsSync(path.join(DATA_DIR, 'postgres'))) writeJson(FILES.credentials, { adminPassword });

  const ports = await startPlatform(adminPassword);
  if (stopping) return;
  const host = connectHost();
  const apiUrl = `http://${host}:${ports.httpPort}`;
  const mqttUrl = `mqtt://${host}:${ports.mqttPort}`;

  const api = new Api(apiUrl);
  const admin = await loginAdmin(api, [adminPassword, env.ANXIN_ADMIN_PASSWORD, DEFAULT_ADMIN_PASSWORD]);
  if (stopping) return;

  const marker = await seedOnce(api, admin.user, apiUrl);
  if (stopping) return;

  watchAlerts(apiUrl, admin.password, marker);
  printBanner(ports, admin.password, marker);
  await simulate(apiUrl, mqttUrl, admin.password);
}

// --- the platform -------------------------------------------------------------

/**
 * Starts the platform in its own process group (a Ctrl-C reaches the demo only,
 * which stops the simulator first) and resolves with its ports once it is ready.
 * @param {string} adminPassword
 * @returns {Promise<{ httpPort: number, mqttPort: number }>}
 */
function startPlatform(adminPassword) {
  note(`starting the platform (data in ${DATA_DIR}) …`);
  const log = fs.createWriteStream(FILES.platformLog, { flags: 'w' });
  const child = spawn(process.execPath, ['--enable-source-maps', PLATFORM_MAIN], {
    cwd: ROOT,
    env: {
      ...env,
      HTTP_PORT,
      MQTT_PORT,
      ANXIN_DATA_DIR: DATA_DIR,
      ANXIN_ADMIN_PASSWORD: adminPassword,
      // The simulated homes send ~100 readings a second (~250 MB an hour): keep a day, not 30.
      ANXIN_TELEMETRY_RETENTION_DAYS: env.ANXIN_TELEMETRY_RETENTION_DAYS || '1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  platform = child;
  return new Promise((resolve, reject) => {
    let ready = false;
    const timer = setTimeout(() => {
      if (!ready) reject(new Error(`the platform was not ready after 180 s (see ${FILES.platformLog})`));
    }, 180_000);
    readline.createInterface({ input: child.stdout }).on('line', (line) => {
      log.write(`${line}\n`);
      const entry = parseJson(line);
      if (!entry) {
        say(`[platform] ${line}`);
        return;
      }
      if (!ready && typeof entry.msg === 'string' && entry.msg.includes('Anxin ready')) {
        ready = true;
        clearTimeout(timer);
        note(entry.msg);
        resolve({ httpPort: Number(entry.httpPort ?? HTTP_PORT), mqttPort: Number(entry.mqttPort ?? MQTT_PORT) });
        return;
      }
      // pino writes its level first; a log field also named "level" would win in JSON.parse.
      const level = Number(/^\{"level":(\d+)/.exec(line)?.[1] ?? entry.level);
      if (level >= 40) say(formatLogEntry(entry, level));
    });
    // Raw stderr (an uncaught error and its dump): headlines here, everything in the log file.
    readline.createInterface({ input: child.stderr }).on('line', (line) => {
      log.write(`${line}\n`);
      if (/^[^\s}\]]/.test(line)) process.stderr.write(`${paint('31', `[platform] ${line}`)}\n`);
    });
    child.on('exit', (code, signal) => {
      log.end();
      clearTimeout(timer);
      if (!ready) {
        reject(new Error(`the platform exited before it was ready (${signal ?? `exit code ${code}`})`));
      } else if (!stopping) {
        warn(`the platform stopped unexpectedly (${signal ?? `exit code ${code}`}); see ${FILES.platformLog}`);
        void shutdown(1);
      }
    });
  });
}

/**
 * @param {Record<string, any>} entry a pino line
 * @param {number} levelNumber
 */
function formatLogEntry(entry, levelNumber) {
  const level = levelNumber >= 60 ? 'FATAL' : levelNumber >= 50 ? 'ERROR' : 'WARN';
  const { msg, err } = entry;
  const rest = { ...entry };
  for (const key of ['time', 'service', 'pid', 'hostname', 'msg', 'err']) delete rest[key];
  if (rest.level === levelNumber) delete rest.level;
  const extra = Object.entries(rest)
    .map(
      ([key, value]) =>
        ` ${key}=${Array.isArray(value) ? value.join(',') : typeof value === 'object' ? JSON.stringify(value) : String(value)}`,
    )
    .join('');
  const errorText = err && typeof err === 'object' ? String(err.message ?? JSON.stringify(err)) : '';
  const error = errorText && errorText !== msg ? ` (${errorText})` : '';
  return paint(levelNumber >= 50 ? '31' : '33', `[platform] ${level} ${msg ?? ''}${error}${extra}`);
}

/** Where the demo's own clients connect: the listen address unless it is a wildcard. */
function connectHost() {
  const listen = env.HTTP_HOST;
  if (!listen || listen === '0.0.0.0' || listen === '::') return '127.0.0.1';
  return listen.includes(':') ? `[${listen}]` : listen;
}

/**
 * @param {Api} api
 * @param {(string | undefined)[]} candidates passwords to try, best first
 */
async function loginAdmin(api, candidates) {
  for (const password of [...new Set(candidates.filter((p) => typeof p === 'string' && p.length > 0))]) {
    try {
      const res = await api.login('admin', password);
      writeJson(FILES.credentials, { ...readJson(FILES.credentials), adminPassword: password });
      return { user: res.user, password };
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 401)) throw error;
    }
  }
  throw new Error(
    `cannot sign in as admin: ${DATA_DIR} was set up with another admin password. ` +
      `Start with ANXIN_ADMIN_PASSWORD set to it, or use a fresh ANXIN_DATA_DIR.`,
  );
}

// --- demo data ----------------------------------------------------------------

/**
 * @param {Api} api
 * @param {{ orgUnitId: string }} admin
 * @param {string} apiUrl
 * @returns {Promise<import('./seed.mjs').SeedMarker>}
 */
async function seedOnce(api, admin, apiUrl) {
  /** @type {import('./seed.mjs').SeedMarker | null} */
  let marker = readJson(FILES.marker);
  if (marker && !(await markerStillValid(api, marker))) {
    warn(`${path.basename(FILES.marker)} does not match this database; seeding again`);
    marker = null;
  }
  if (marker) {
    note('demo data already seeded');
  } else {
    note('seeding the demo organisation, accounts and residents …');
    marker = await seed(api, admin, note);
    writeJson(FILES.marker, marker);
    note(`seeded ${marker.stations.length} stations and ${marker.residents.length} residents`);
  }
  // The simulator's homes are these residents; it adds their devices on its first round.
  const simFile = readJson(FILES.simCredentials);
  const known = new Set(marker.residents.map((r) => r.id));
  if (!simFile || !Array.isArray(simFile.residents) || !simFile.residents.every((r) => known.has(r?.id))) {
    writeJson(FILES.simCredentials, simCredentialsFor(marker, apiUrl));
  }
  return marker;
}

/**
 * The marker may have outlived its database (a wiped cluster, or DATABASE_URL pointing elsewhere).
 * @param {Api} api
 * @param {import('./seed.mjs').SeedMarker} marker
 */
async function markerStillValid(api, marker) {
  try {
    await api.get(`/api/v1/org-units/${marker.stations[0].communityId}`);
    await api.get(`/api/v1/residents/${marker.residents[0].id}`);
    return true;
  } catch (error) {
    if (error instanceof ApiError && (error.status === 404 || error.status === 403)) return false;
    throw error;
  }
}

// --- live alerts in the terminal ------------------------------------------------

const KIND_LABELS = {
  sos: 'SOS 呼救',
  fall: '跌倒',
  smoke: '烟雾报警',
  gas: '燃气泄漏',
  water_leak: '漏水',
  abnormal_heart_rate: '心率异常',
  abnormal_respiration: '呼吸异常',
  not_back_in_bed: '离床未归',
  inactivity: '长时间无活动',
  night_wandering: '夜间游走',
  left_safe_zone: '离开安全区域',
  device_offline: '设备离线',
  low_battery: '电量低',
};
const SEVERITY_COLOURS = { critical: '1;31', high: '31', medium: '33', low: '36' };

/**
 * Watches /console as admin (CONTRACT §4) and prints each alert as it is raised.
 * @param {string} apiUrl
 * @param {string} adminPassword
 * @param {import('./seed.mjs').SeedMarker} marker
 */
function watchAlerts(apiUrl, adminPassword, marker) {
  const api = new Api(apiUrl);
  const places = new Map(marker.stations.map((s) => [s.communityId, `${s.name}·${s.community}`]));
  const names = new Map(marker.residents.map((r) => [r.id, r.name]));
  const socket = io(`${apiUrl}/console`, {
    auth: (cb) => cb({ token: api.token ?? '' }),
    transports: ['websocket'],
    autoConnect: false,
    reconnectionDelayMax: 5_000,
  });
  watcher = socket;
  const connect = async () => {
    while (!stopping) {
      try {
        await api.login('admin', adminPassword);
        socket.connect();
        return;
      } catch {
        await sleep(3_000);
      }
    }
  };
  // A refused handshake (e.g. an expired token) is not retried by socket.io: sign in again.
  socket.on('connect_error', () => {
    if (!socket.active && !stopping) setTimeout(() => void connect(), 2_000);
  });
  socket.on('alert:raised', (/** @type {any} */ alert) => {
    const time = new Date(alert.openedAt ?? Date.now()).toLocaleTimeString('zh-CN', {
      hour12: false,
      timeZone: TIME_ZONE,
    });
    const place = places.get(alert.orgUnitId) ?? '其他';
    const who = alert.residentName ?? names.get(alert.residentId) ?? alert.residentId;
    const kind = `${KIND_LABELS[alert.kind] ?? alert.kind} (${alert.kind})`;
    const severity = paint(SEVERITY_COLOURS[alert.severity] ?? '0', alert.severity.padEnd(8));
    say(`${time}  ALERT ${severity} ${place.padEnd(8)} ${who}  ${kind}`);
  });
  socket.on('alert:updated', (/** @type {any} */ alert) => {
    if (alert.status === 'resolved' && alert.outcome === 'cancelled_by_resident') {
      const who = alert.residentName ?? names.get(alert.residentId) ?? alert.residentId;
      say(paint('2', `          ${who}: ${KIND_LABELS[alert.kind] ?? alert.kind} cancelled by the resident`));
    }
  });
  socket.on('order:unassigned', (/** @type {any} */ order) => {
    const who = names.get(order.residentId) ?? order.residentId;
    say(paint('33', `          order ${order.kind} for ${who}: no caregiver took it (unassigned)`));
  });
  void connect();
}

// --- the simulator ----------------------------------------------------------------

/**
 * Rounds of the simulator until stopped. Each round plays the `mixed` scenario
 * over the twelve homes (one incident each, spread over the round); the homes
 * are rotated between rounds so incidents move around. A round starts by
 * closing the alerts its homes still have open from the round before.
 * @param {string} apiUrl
 * @param {string} mqttUrl
 * @param {string} adminPassword
 */
async function simulate(apiUrl, mqttUrl, adminPassword) {
  const log = fs.createWriteStream(FILES.simLog, { flags: 'a' });
  let failures = 0;
  for (let round = 1; !stopping; round++) {
    if (round > 1) rotateHomes();
    fs.rmSync(FILES.simReport, { force: true });
    log.write(`\n=== round ${round} at ${new Date().toISOString()} ===\n`);
    const args = [
      ...['--api', apiUrl, '--mqtt', mqttUrl, '--username', 'admin', '--password', adminPassword],
      ...['--homes', String(HOMES), '--scenario', 'mixed', '--duration', String(ROUND_SECONDS), '--grace', '20'],
      ...['--credentials', FILES.simCredentials, '--report', FILES.simReport, '--timezone', TIME_ZONE],
    ];
    const started = Date.now();
    const child = spawn(process.execPath, ['--enable-source-maps', SIM_MAIN, ...args], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    sim = child;
    for (const stream of [child.stdout, child.stderr]) {
      readline.createInterface({ input: stream }).on('line', (line) => {
        log.write(`${line}\n`);
        if (/^(warning:|sim:)/.test(line)) say(paint('33', `[sim] ${line}`));
      });
    }
    const code = await new Promise((resolve) => child.on('exit', (c, s) => resolve(c ?? s)));
    sim = null;
    const report = readJson(FILES.simReport);
    fs.rmSync(FILES.simReport, { force: true });
    if (report) {
      failures = 0;
      if (!stopping) say(paint('2', `[sim] round ${round}: ${roundSummary(report)}`));
    } else if (!stopping) {
      failures += 1;
      warn(`simulator round ${round} ended without a report (${code}); see ${FILES.simLog}`);
    }
    // Back off when rounds fail fast (e.g. the platform refusing the simulator).
    if (!stopping && Date.now() - started < 30_000) await sleep(Math.min(60, 5 * Math.max(1, failures)) * 1000);
  }
  log.end();
}

/** @param {Record<string, any>} r the simulator's JSON report */
function roundSummary(r) {
  const p50 = r.latencyMs?.p50;
  const latency =
    typeof p50 === 'number'
      ? `, median delay ${p50 < 1000 ? `${Math.round(p50)} ms` : `${(p50 / 1000).toFixed(1)} s`}`
      : '';
  return (
    `${r.incidents} incidents → ${r.alertsMatched} alerts raised${latency}; ` +
    `${r.missedAlerts} missed, ${r.falseAlerts} false (details: ${shortPath(FILES.simLog)})`
  );
}

/** Moves the first home to the end, so next round's incidents land on other residents. */
function rotateHomes() {
  const creds = readJson(FILES.simCredentials);
  if (!creds || !Array.isArray(creds.residents) || creds.residents.length < 2) return;
  creds.residents.push(creds.residents.shift());
  writeJson(FILES.simCredentials, creds);
}

// --- banner ---------------------------------------------------------------------

/**
 * @param {{ httpPort: number, mqttPort: number }} ports
 * @param {string} adminPassword
 * @param {import('./seed.mjs').SeedMarker} marker
 */
function printBanner(ports, adminPassword, marker) {
  const web = `http://localhost:${ports.httpPort}`;
  const rule = '─'.repeat(78);
  const lines = [
    rule,
    paint('1', ' 安心 Anxin demo is running'),
    '',
    `   operators' console   ${paint('1;4', `${web}/`)}`,
    `   caregiver app        ${paint('1;4', `${web}/caregiver`)}`,
    `   HTTP API docs        ${web}/api/docs`,
    `   MQTT broker          mqtt://localhost:${ports.mqttPort}`,
    '',
    ' Sign in as',
    `   admin       password ${adminPassword.padEnd(12)} 安心街道服务中心: sees everything`,
    ...STATIONS.map(
      (s) => `   ${s.operator.username.padEnd(11)} password ${DEMO_PASSWORD.padEnd(12)} ${s.name} operator`,
    ),
    ` caregivers (console → an alert → dispatch; then accept it in the caregiver app), password ${DEMO_PASSWORD}:`,
    ...SERVICE_ORGS.map(
      (o) =>
        `   ${o.caregivers
          .map((c) => c.username)
          .join(', ')
          .padEnd(28)} ${o.name}`,
    ),
    '',
    ` ${marker.residents.length} simulated homes in ${marker.stations.map((s) => s.name).join(', ')} send live data. In rounds of`,
    ` about ${Math.round((ROUND_SECONDS + 30) / 60)} minutes the simulator plays one incident per home (SOS, fall, smoke,`,
    ' abnormal vitals, …); each round first closes the alerts its homes still have open.',
    ' New alerts are listed below as they are raised.',
    ` Data: ${DATA_DIR} (delete it to start afresh). Ctrl-C stops everything.`,
    rule,
  ];
  say(lines.join('\n'));
}

// --- stopping -------------------------------------------------------------------

let signals = 0;
/** @param {string} signal */
function onSignal(signal) {
  signals += 1;
  if (signals === 1) {
    say('');
    note(`${signal}: stopping the simulator, then the platform …`);
    void shutdown(0);
  } else if (signals === 2) {
    note('stopping now');
    if (sim?.pid) trySignal(sim.pid, 'SIGKILL');
  } else {
    note('killing the platform');
    killLeftovers();
    process.exit(130);
  }
}

/**
 * The simulator first (it finishes its round early, restores the homes' normal
 * care profiles and disconnects), then the platform (SIGTERM: it drains and exits).
 * @param {number} exitCode
 */
function shutdown(exitCode) {
  stopping = true;
  stopped ??= (async () => {
    const child = sim;
    if (child?.pid && child.exitCode === null && child.signalCode === null) {
      trySignal(child.pid, 'SIGINT');
      if (!(await waitExit(child, 30_000))) trySignal(child.pid, 'SIGKILL');
    }
    watcher?.close();
    const p = platform;
    if (p?.pid && p.exitCode === null && p.signalCode === null) {
      trySignal(p.pid, 'SIGTERM');
      if (!(await waitExit(p, 20_000))) {
        warn('the platform did not stop within 20 s; killing it');
        trySignal(-p.pid, 'SIGKILL');
        await waitExit(p, 5_000);
      }
      if (exitCode === 0 && p.exitCode !== 0) exitCode = 1;
    }
    fs.rmSync(FILES.simReport, { force: true });
    note('stopped');
    process.exit(exitCode);
  })();
  return stopped;
}

/** Last resort when the demo itself exits abruptly: leave no children behind. */
function killLeftovers() {
  if (sim?.pid && sim.exitCode === null && sim.signalCode === null) trySignal(sim.pid, 'SIGKILL');
  if (platform?.pid && platform.exitCode === null && platform.signalCode === null) trySignal(platform.pid, 'SIGTERM');
}

/**
 * @param {import('node:child_process').ChildProcess} child
 * @param {number} ms
 * @returns {Promise<boolean>} whether it exited in time
 */
function waitExit(child, ms) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/**
 * @param {number} pid negative: the process group
 * @param {NodeJS.Signals} signal
 */
function trySignal(pid, signal) {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

// --- small helpers ----------------------------------------------------------------

/** @param {string} file */
function shortPath(file) {
  const relative = path.relative(process.cwd(), file);
  return relative.startsWith('..') ? file : relative;
}

/** @param {string} line */
function parseJson(line) {
  if (!line.startsWith('{')) return null;
  try {
    return JSON.parse(line);
  } catch {
    return null;
  }
}

/** @param {string} file */
function readJson(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

/**
 * Atomically, readable by the owner only (it may hold passwords and device secrets).
 * @param {string} file
 * @param {unknown} value
 */
function writeJson(file, value) {
  const temp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temp, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });
  fs.renameSync(temp, file);
}

/** A data dir inside the repository should not show up in `git status`. */
function keepOutOfGit(dir) {
  const ignore = path.join(dir, '.gitignore');
  if (!fs.existsSync(ignore)) fs.writeFileSync(ignore, '# created by npm run demo\n*\n');
}

/**
 * @param {string | undefined} raw
 * @param {number} fallback
 */
function positiveInt(raw, fallback) {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 30) {
    process.stderr.write(`[demo] DEMO_ROUND_SECONDS must be a whole number of seconds, at least 30; got "${raw}"\n`);
    process.exit(2);
  }
  return n;
}

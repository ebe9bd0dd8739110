// `npm run demo` (CONTRACT §1): the platform as `npm start` runs it, plus seeded
// demo data and the device simulator driving simulated homes, so a newcomer
// sees live alerts.
//
//   1. start dist/apps/platform/main.js (embedded PostgreSQL under ANXIN_DATA_DIR,
//      default ./data-demo), wait for its ready line, pass on its warnings and errors;
//   2. seed the demo organisation once (marker: <data dir>/demo-seeded.json);
//   3. run the simulator in rounds over the twelve seeded homes, at DEMO_PACE:
//      `realistic` (default: two homes have an incident in a 10-minute round, a few
//      alerts an hour per station) or `fast` (every home, every 4-minute round);
//      it runs as its own account (demo-sim), never closes an alert a person took
//      up and never overwrites what an operator set in a care profile;
//   4. print the alerts as they are raised, in Chinese; Ctrl-C stops the simulator,
//      then the platform.
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
import { ALERT_KIND_LABELS_ZH, ORDER_KIND_LABELS_ZH, SEVERITY_LABELS_ZH } from '@anxin/contract';
import { Api, ApiError } from './http.mjs';
import {
  DEMO_PASSWORD,
  SERVICE_ORGS,
  SIMULATOR_ACCOUNT,
  STATIONS,
  ensureSimulatorAccount,
  seed,
  simCredentialsFor,
} from './seed.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const PLATFORM_MAIN = path.join(ROOT, 'dist/apps/platform/main.js');
const SIM_MAIN = path.join(ROOT, 'dist/devices-sim/main.js');

const env = process.env;
const HTTP_PORT = env.HTTP_PORT || '3000';
const MQTT_PORT = env.MQTT_PORT || '1883';
const DATA_DIR = path.resolve(env.ANXIN_DATA_DIR || 'data-demo');
const TIME_ZONE = env.ANXIN_TIMEZONE || env.TZ || 'Asia/Shanghai';
/**
 * DEMO_PACE. `realistic`: a few alerts an hour per station, as a centre sees on an ordinary day
 * (2 of the 12 homes have an incident per 10-minute round: about 11 an hour over three stations).
 * `fast`: every home every round, for showing off.
 */
const PACES = {
  realistic: { roundSeconds: 600, incidentsPerRound: 2, label: '日常节奏（每站每小时几条告警）' },
  fast: { roundSeconds: 240, incidentsPerRound: null, label: '快速演示节奏（每轮每户都出一次状况）' },
};
const PACE_NAME = env.DEMO_PACE || 'realistic';
const PACE = Object.hasOwn(PACES, PACE_NAME)
  ? PACES[/** @type {keyof typeof PACES} */ (PACE_NAME)]
  : badSetting(`DEMO_PACE 只能是 realistic 或 fast，收到 "${PACE_NAME}"`);
const ROUND_SECONDS = positiveInt(env.DEMO_ROUND_SECONDS, PACE.roundSeconds);
const GRACE_SECONDS = 20;
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
const note = (/** @type {string} */ line) => say(paint('2', `[演示] ${line}`));
const warn = (/** @type {string} */ line) => process.stderr.write(`${paint('33', `[演示] ${line}`)}\n`);

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
  warn(`出错：${error instanceof Error ? error.message : String(error)}`);
  void shutdown(1);
});

async function main() {
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => onSignal(signal));
  process.on('exit', killLeftovers);
  for (const file of [PLATFORM_MAIN, SIM_MAIN]) {
    if (!fs.existsSync(file)) throw new Error(`缺少 ${path.relative(ROOT, file)}：请用 npm run demo 启动（会先构建）`);
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
  // The simulator acts as its own account: the alerts it closes are only those nobody else took up.
  await ensureSimulatorAccount(api, marker.centreId);
  if (stopping) return;

  watchAlerts(apiUrl, admin.password, marker);
  printBanner(ports, admin.password, marker);
  await simulate(apiUrl, mqttUrl);
}

// --- the platform -------------------------------------------------------------

/**
 * Starts the platform in its own process group (a Ctrl-C reaches the demo only,
 * which stops the simulator first) and resolves with its ports once it is ready.
 * @param {string} adminPassword
 * @returns {Promise<{ httpPort: number, mqttPort: number }>}
 */
function startPlatform(adminPassword) {
  note(`正在启动平台（数据目录 ${DATA_DIR}）…`);
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
      if (!ready) reject(new Error(`平台 180 秒内未就绪（详见 ${FILES.platformLog}）`));
    }, 180_000);
    readline.createInterface({ input: child.stdout }).on('line', (line) => {
      log.write(`${line}\n`);
      const entry = parseJson(line);
      if (!entry) {
        say(`[平台] ${line}`);
        return;
      }
      if (!ready && typeof entry.msg === 'string' && entry.msg.includes('Anxin ready')) {
        ready = true;
        clearTimeout(timer);
        const ports = { httpPort: Number(entry.httpPort ?? HTTP_PORT), mqttPort: Number(entry.mqttPort ?? MQTT_PORT) };
        note(`平台已就绪：网页端口 ${ports.httpPort}，设备接入端口 ${ports.mqttPort}`);
        resolve(ports);
        return;
      }
      // pino writes its level first; a log field also named "level" would win in JSON.parse.
      const level = Number(/^\{"level":(\d+)/.exec(line)?.[1] ?? entry.level);
      if (level >= 40) say(formatLogEntry(entry, level));
    });
    // Raw stderr (an uncaught error and its dump): headlines here, everything in the log file.
    readline.createInterface({ input: child.stderr }).on('line', (line) => {
      log.write(`${line}\n`);
      if (/^[^\s}\]]/.test(line)) process.stderr.write(`${paint('31', `[平台] ${line}`)}\n`);
    });
    child.on('exit', (code, signal) => {
      log.end();
      clearTimeout(timer);
      if (!ready) {
        reject(new Error(`平台在就绪前退出（${signal ?? `退出码 ${code}`}），详见 ${FILES.platformLog}`));
      } else if (!stopping) {
        warn(`平台意外停止（${signal ?? `退出码 ${code}`}），详见 ${FILES.platformLog}`);
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
  const level = levelNumber >= 60 ? '严重错误' : levelNumber >= 50 ? '错误' : '警告';
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
  // The platform's own log line, passed on as it is (its full log is the platform log file).
  return paint(levelNumber >= 50 ? '31' : '33', `[平台] ${level} ${msg ?? ''}${error}${extra}`);
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
    `无法以 admin 登录：${DATA_DIR} 初始化时用的是另一个管理员密码。` +
      '请把 ANXIN_ADMIN_PASSWORD 设为该密码再启动，或换一个新的 ANXIN_DATA_DIR。',
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
    warn(`${path.basename(FILES.marker)} 与当前数据库不符，重新写入演示数据`);
    marker = null;
  }
  if (marker) {
    note('演示数据已存在');
  } else {
    note('正在写入演示机构、账号和老人 …');
    marker = await seed(api, admin, note);
    writeJson(FILES.marker, marker);
    note(`已写入 ${marker.stations.length} 个服务站、${marker.residents.length} 位老人`);
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
    const kind = ALERT_KIND_LABELS_ZH[alert.kind] ?? '其他告警';
    const severity = paint(
      SEVERITY_COLOURS[alert.severity] ?? '0',
      padWide(SEVERITY_LABELS_ZH[alert.severity] ?? '', 2),
    );
    say(`${time}  告警 ${severity} ${padWide(place, 8)} ${who}  ${kind}`);
  });
  socket.on('alert:updated', (/** @type {any} */ alert) => {
    if (alert.status === 'resolved' && alert.outcome === 'cancelled_by_resident') {
      const who = alert.residentName ?? names.get(alert.residentId) ?? alert.residentId;
      say(paint('2', `          ${who}：${ALERT_KIND_LABELS_ZH[alert.kind] ?? '告警'}已由老人自行取消`));
    }
  });
  socket.on('order:unassigned', (/** @type {any} */ order) => {
    const who = names.get(order.residentId) ?? order.residentId;
    say(paint('33', `          ${who}的${ORDER_KIND_LABELS_ZH[order.kind] ?? '服务'}工单无人接单`));
  });
  void connect();
}

// --- the simulator ----------------------------------------------------------------

/**
 * Rounds of the simulator until stopped. Each round plays the `mixed` scenario
 * over the twelve homes (at the `realistic` pace only in a few of them, picked
 * at random); the homes are rotated between rounds so incidents move around. A
 * round starts by closing the alerts its homes still have open that nobody took
 * up (an acknowledged or dispatched alert is the operator's to close).
 * @param {string} apiUrl
 * @param {string} mqttUrl
 */
async function simulate(apiUrl, mqttUrl) {
  const log = fs.createWriteStream(FILES.simLog, { flags: 'a' });
  let failures = 0;
  for (let round = 1; !stopping; round++) {
    if (round > 1) rotateHomes();
    fs.rmSync(FILES.simReport, { force: true });
    log.write(`\n=== round ${round} at ${new Date().toISOString()} ===\n`);
    const args = [
      ...['--api', apiUrl, '--mqtt', mqttUrl, '--username', SIMULATOR_ACCOUNT.username, '--password', DEMO_PASSWORD],
      ...['--homes', String(HOMES), '--scenario', 'mixed', '--duration', String(ROUND_SECONDS)],
      ...['--grace', String(GRACE_SECONDS)],
      ...(PACE.incidentsPerRound === null ? [] : ['--incidents', String(PACE.incidentsPerRound)]),
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
        // The simulator's own warning, passed on as it is (its full log is the simulator log file).
        if (/^(warning:|sim:)/.test(line)) say(paint('33', `[模拟器] ${line}`));
      });
    }
    const code = await new Promise((resolve) => child.on('exit', (c, s) => resolve(c ?? s)));
    sim = null;
    const report = readJson(FILES.simReport);
    fs.rmSync(FILES.simReport, { force: true });
    if (report) {
      failures = 0;
      if (!stopping) note(`第 ${round} 轮：${roundSummary(report)}`);
    } else if (!stopping) {
      failures += 1;
      warn(`模拟器第 ${round} 轮没有生成报告（${code}），详见 ${FILES.simLog}`);
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
      ? `，延迟中位数 ${p50 < 1000 ? `${Math.round(p50)} 毫秒` : `${(p50 / 1000).toFixed(1)} 秒`}`
      : '';
  return (
    `${r.incidents} 个状况 → 触发 ${r.alertsMatched} 条告警${latency}；` +
    `漏报 ${r.missedAlerts}，误报 ${r.falseAlerts}（详见 ${shortPath(FILES.simLog)}）`
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
  const roundMinutes = Math.round((ROUND_SECONDS + GRACE_SECONDS + 10) / 60);
  const pace =
    PACE.incidentsPerRound === null
      ? `每轮约 ${roundMinutes} 分钟，每户都出一次状况（紧急呼叫、跌倒、烟雾、燃气、生命体征异常等）`
      : `每轮约 ${roundMinutes} 分钟，随机 ${PACE.incidentsPerRound} 户出一次状况（紧急呼叫、跌倒、烟雾、生命体征异常等）`;
  const lines = [
    rule,
    paint('1', ' 安心 演示已启动'),
    '',
    `   值班台          ${paint('1;4', `${web}/`)}`,
    `   护理员应用      ${paint('1;4', `${web}/caregiver`)}`,
    `   接口文档        ${web}/api/docs`,
    `   设备接入        mqtt://localhost:${ports.mqttPort}`,
    '',
    ' 登录账号',
    `   admin       密码 ${adminPassword.padEnd(12)} 安心街道服务中心：可看全部`,
    ...STATIONS.map((s) => `   ${s.operator.username.padEnd(11)} 密码 ${DEMO_PASSWORD.padEnd(12)} ${s.name}值班员`),
    ` 护理员（值班台打开告警 → 派单，再到护理员应用接单），密码 ${DEMO_PASSWORD}：`,
    ...SERVICE_ORGS.map(
      (o) =>
        `   ${o.caregivers
          .map((c) => c.username)
          .join(', ')
          .padEnd(28)} ${o.name}`,
    ),
    '',
    ` ${marker.residents.length} 户模拟家庭（${marker.stations.map((s) => s.name).join('、')}）实时上报数据。`,
    ` 节奏：${PACE.label}；${pace}。`,
    PACE.incidentsPerRound === null ? '' : ' 想看得更热闹，可用 DEMO_PACE=fast 启动。',
    ' 模拟器用自己的账号运行：每轮开始只结案它自己留下、无人处理的告警，值班员已确认或派单的告警由值班员处理；',
    ' 演练时临时缩短的规则时长，结束后只撤回它自己改过的项，值班员修改的照护档案会保留。',
    ' 新告警会在下方列出。',
    ` 数据目录：${DATA_DIR}（删除即可重新开始）。按 Ctrl-C 停止全部。`,
    rule,
  ].filter((line, i, all) => line !== '' || all[i - 1] !== '');
  say(lines.join('\n'));
}

// --- stopping -------------------------------------------------------------------

let signals = 0;
/** @param {string} signal */
function onSignal(signal) {
  signals += 1;
  if (signals === 1) {
    say('');
    note(`收到 ${signal}：先停止模拟器，再停止平台 …`);
    void shutdown(0);
  } else if (signals === 2) {
    note('立即停止');
    if (sim?.pid) trySignal(sim.pid, 'SIGKILL');
  } else {
    note('强制结束平台');
    killLeftovers();
    process.exit(130);
  }
}

/**
 * The simulator first (it finishes its round early, takes its shortened rules
 * off the homes and disconnects), then the platform (SIGTERM: it drains and exits).
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
        warn('平台 20 秒内没有停止，强制结束');
        trySignal(-p.pid, 'SIGKILL');
        await waitExit(p, 5_000);
      }
      if (exitCode === 0 && p.exitCode !== 0) exitCode = 1;
    }
    fs.rmSync(FILES.simReport, { force: true });
    note('已停止');
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
  if (!Number.isInteger(n) || n < 30) badSetting(`DEMO_ROUND_SECONDS 须为不少于 30 的整数秒，收到 "${raw}"`);
  return n;
}

/**
 * A bad setting: says so (naming the variable) and exits before anything starts.
 * @param {string} message
 * @returns {never}
 */
function badSetting(message) {
  process.stderr.write(`[演示] ${message}\n`);
  process.exit(2);
}

/**
 * Pads to `width` columns, counting a Chinese character as two (terminal columns).
 * @param {string} text
 * @param {number} width
 */
function padWide(text, width) {
  const columns = [...text].reduce((n, ch) => n + (/[\u1100-\uffff]/.test(ch) ? 2 : 1), 0);
  return text + ' '.repeat(Math.max(0, width * 2 - columns));
}

import { Client } from 'pg';
import { io, type Socket } from 'socket.io-client';
import type { AlertView, ConsoleClientToServerEvents, ConsoleServerToClientEvents } from '@anxin/contract';
import { ApiClient } from '../../support/api-client';
import { createCenter, createStation, type StationFixture } from '../../support/fixtures';
import { FleetDevice } from '../../support/fleet-device';
import { type PlatformProcess, spawnPlatform } from '../../support/platform-process';
import { freePort, type PrivateRedis, startPrivateRedis } from '../../support/private-redis';
import { startTcpProxy, type TcpProxy } from '../../support/tcp-proxy';
import { createTestDatabase, type TestDatabase } from '../../support/test-database';

/** Short timers so escalations and offer time-outs fall due inside a fault. */
export const ESCALATE_SECONDS = 4;
export const OFFER_TIMEOUT_SECONDS = 4;
const ADMIN_PASSWORD = 'faults-admin-pass';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `check` until it returns a value other than null/false, or throws naming `what`. */
export async function waitUntil<T>(
  what: string,
  check: () => Promise<T | null | false>,
  timeoutMs: number,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check().catch(() => null);
    if (value !== null && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(250);
  }
}

/** One platform process on fixed ports, so a restarted one is found where devices and consoles look. */
export class PlatformSlot {
  proc: PlatformProcess | null = null;
  /** Exits nobody asked for (a crash): the suite fails on any. */
  readonly crashes: string[] = [];
  private killing = false;

  constructor(
    readonly name: string,
    readonly httpPort: number,
    readonly mqttPort: number,
    private readonly env: Record<string, string>,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.httpPort}`;
  }

  get alive(): boolean {
    return this.proc !== null && this.proc.proc.exitCode === null && this.proc.proc.signalCode === null;
  }

  async start(): Promise<void> {
    const proc = await spawnPlatform({
      ...this.env,
      HTTP_PORT: String(this.httpPort),
      MQTT_PORT: String(this.mqttPort),
    });
    this.proc = proc;
    proc.proc.once('exit', (code, signal) => {
      if (this.killing) return;
      const tail = proc.output().split('\n').slice(-15).join('\n');
      this.crashes.push(`${this.name} exited (code ${code}, signal ${signal}):\n${tail}`);
    });
  }

  async kill9(): Promise<void> {
    this.killing = true;
    await this.proc?.kill9();
    this.killing = false;
  }

  async stop(): Promise<void> {
    this.killing = true;
    if (this.alive) await this.proc?.stop();
  }

  /** 200 from /api/v1/health (every dependency up). */
  async healthy(): Promise<boolean> {
    return (await this.health())?.status === 200;
  }

  /** The health answer, or null when the process does not answer within 3 s. */
  async health(): Promise<{ status: number; body: Record<string, unknown> } | null> {
    if (!this.alive) return null;
    try {
      const res = await fetch(`${this.url}/api/v1/health`, { signal: AbortSignal.timeout(3_000) });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    } catch {
      return null;
    }
  }
}

/** A console on one process that reconnects by itself; a reconnect's snapshot counts as seen. */
export class ConsoleTap {
  readonly seen = new Map<string, AlertView>();
  private readonly socket: Socket<ConsoleServerToClientEvents, ConsoleClientToServerEvents>;

  constructor(url: string, token: string) {
    this.socket = io(`${url}/console`, {
      auth: { token },
      transports: ['websocket'],
      reconnectionDelay: 300,
      reconnectionDelayMax: 1_000,
    });
    const keep = (alert: AlertView) => this.seen.set(`${alert.id}:${alert.escalationLevel}:${alert.status}`, alert);
    this.socket.on('alerts:snapshot', (alerts) => alerts.forEach(keep));
    this.socket.on('alert:raised', keep);
    this.socket.on('alert:updated', keep);
  }

  sawResident(residentId: string, kind: string): boolean {
    return [...this.seen.values()].some((a) => a.residentId === residentId && a.kind === kind);
  }

  close(): void {
    this.socket.close();
  }
}

export interface SosHome {
  residentId: string;
  device: FleetDevice;
}

/**
 * The fault rig: the machine's PostgreSQL behind a TCP proxy the test controls, a private Redis, two
 * platform processes sharing both, a fleet publishing QoS 1 events, one emergency caregiver who never
 * answers (so offers time out) and a console on each process.
 */
export class FaultRig {
  readonly slots: PlatformSlot[] = [];
  readonly bulk: FleetDevice[] = [];
  readonly sosHomes: SosHome[] = [];
  readonly consoles: ConsoleTap[] = [];
  admin!: ApiClient;
  station!: StationFixture;
  caregiverId!: string;
  private bulkTimer: NodeJS.Timeout | null = null;
  private db!: Client;

  private constructor(
    readonly database: TestDatabase,
    readonly proxy: TcpProxy,
    readonly redis: PrivateRedis,
  ) {}

  static async start(options: { sosHomes: number; bulkDevices: number }): Promise<FaultRig> {
    const database = await createTestDatabase('faults');
    const proxy = await startTcpProxy(5432);
    const redis = await startPrivateRedis();
    const rig = new FaultRig(database, proxy, redis);
    const env = {
      DATABASE_URL: `postgres://postgres@127.0.0.1:${proxy.port}/${database.name}`,
      REDIS_URL: redis.url,
      ANXIN_ADMIN_PASSWORD: ADMIN_PASSWORD,
      ANXIN_QUEUE_PREFIX: database.name,
      ANXIN_ESCALATE_CRITICAL_SECONDS: String(ESCALATE_SECONDS),
      ANXIN_ESCALATE_MAX_LEVEL: '1',
      ANXIN_OFFER_TIMEOUT_EMERGENCY_SECONDS: String(OFFER_TIMEOUT_SECONDS),
      ANXIN_MAINTENANCE_ORDERS: 'false',
    };
    for (const name of ['A', 'B']) rig.slots.push(new PlatformSlot(name, await freePort(), await freePort(), env));
    // One after the other: the first applies the migrations.
    for (const slot of rig.slots) await slot.start();
    rig.db = new Client({ connectionString: database.url });
    await rig.db.connect();

    rig.admin = await new ApiClient(rig.slots[0]!.url).login('admin', ADMIN_PASSWORD);
    rig.station = await createStation(rig.admin, await createCenter(rig.admin));
    const caregiver = await rig.admin.post('/api/v1/users', {
      username: `cg${database.name.slice(-10)}`,
      password: 'caregiver-pass',
      role: 'caregiver',
      orgUnitId: rig.station.stationId,
      skills: ['emergency'],
    });
    if (caregiver.status !== 201) throw new Error(`caregiver: ${JSON.stringify(caregiver.body)}`);
    rig.caregiverId = caregiver.body.id;

    // Devices alternate which process they try first; each falls over to the other.
    const ports = rig.slots.map((s) => s.mqttPort);
    const device = async (residentId: string, type: string, i: number, sleepsUntilPressed = false) => {
      const created = await rig.station.operator.post('/api/v1/devices', { type, residentId });
      if (created.status !== 201) throw new Error(`device: ${JSON.stringify(created.body)}`);
      return new FleetDevice({
        id: created.body.id,
        secret: created.body.secret,
        ports: i % 2 === 0 ? ports : [...ports].reverse(),
        // Both protocols: a 3.1.1 refusal has only one code for "try later" (3) and one for "go away" (5).
        protocolVersion: i % 2 === 0 ? 4 : 5,
        sleepsUntilPressed,
      });
    };
    const resident = async (name: string) => {
      const res = await rig.station.operator.post('/api/v1/residents', {
        name,
        orgUnitId: rig.station.communityId,
      });
      if (res.status !== 201) throw new Error(`resident: ${JSON.stringify(res.body)}`);
      return res.body.id as string;
    };
    for (let i = 0; i < options.bulkDevices; i++) {
      rig.bulk.push(await device(await resident(`门磁${i}`), 'door_sensor', i));
    }
    for (let i = 0; i < options.sosHomes; i++) {
      const residentId = await resident(`呼叫${i}`);
      // SOS buttons sleep until pressed, so a press during a fault is also a first CONNECT during it.
      rig.sosHomes.push({ residentId, device: await device(residentId, 'sos_button', i, true) });
    }
    for (const slot of rig.slots) rig.consoles.push(new ConsoleTap(slot.url, rig.admin.token!));
    await waitUntil('fleet connected', async () => rig.bulk.every((d) => d.connected), 20_000);
    return rig;
  }

  /** Bulk events: every door sensor opens or closes every `everyMs`. */
  startTraffic(everyMs = 400): void {
    let open = true;
    this.bulkTimer = setInterval(() => {
      open = !open;
      for (const d of this.bulk) d.send(open ? 'door_open' : 'door_close');
    }, everyMs);
  }

  stopTraffic(): void {
    if (this.bulkTimer) clearInterval(this.bulkTimer);
    this.bulkTimer = null;
  }

  get devices(): FleetDevice[] {
    return [...this.bulk, ...this.sosHomes.map((h) => h.device)];
  }

  /** Restarts any process that is down (after a kill or a crash), so every fault starts from two. */
  async ensureRunning(): Promise<void> {
    for (const slot of this.slots) if (!slot.alive) await slot.start();
    await waitUntil(
      'both processes healthy',
      async () => (await Promise.all(this.slots.map((s) => s.healthy()))).every(Boolean),
      60_000,
    );
  }

  /**
   * Polls every process's health until stopped; resolves with the dependencies any of them reported down
   * (e.g. `database`, `redis`), so a test can tell the fault really reached the platform.
   */
  watchHealth(): { stop(): Promise<Set<string>> } {
    const down = new Set<string>();
    let running = true;
    const loop = (async () => {
      while (running) {
        for (const slot of this.slots) {
          const health = await slot.health();
          for (const [dependency, state] of Object.entries(health?.body ?? {}))
            if (state === 'down') down.add(dependency);
        }
        await sleep(300);
      }
    })();
    return {
      stop: async () => {
        running = false;
        await loop;
        return down;
      },
    };
  }

  /** pg_terminate_backend of every connection to this test's own database but the rig's. */
  async terminateBackends(): Promise<void> {
    const { rows } = await this.db.query<{ n: number }>(
      `SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity
       WHERE datname = $1 AND pid <> pg_backend_pid()`,
      [this.database.name],
    );
    if (!rows[0]?.n) throw new Error('no platform connection to terminate');
  }

  /** The latest alert of a resident, read straight from the database. */
  async alertOf(residentId: string): Promise<{ id: string; escalation_level: number; status: string } | null> {
    const { rows } = await this.db.query(
      `SELECT id, escalation_level, status FROM alerts WHERE resident_id = $1 ORDER BY opened_at DESC LIMIT 1`,
      [residentId],
    );
    return rows[0] ?? null;
  }

  async orderOf(orderId: string): Promise<{ status: string; timeline: { status: string; note: string | null }[] }> {
    const res = await this.admin.get(`/api/v1/orders/${orderId}`);
    if (res.status !== 200) throw new Error(`order ${orderId}: ${res.status}`);
    return res.body;
  }

  /** Acknowledged events whose (device, seq) is not stored exactly once: must be empty. */
  async ackedNotStoredOnce(): Promise<string[]> {
    const problems: string[] = [];
    for (const d of this.devices) {
      const { rows } = await this.db.query<{ seq: string; n: string }>(
        `SELECT seq, count(*) AS n FROM device_events WHERE device_id = $1 GROUP BY seq`,
        [d.options.id],
      );
      const stored = new Map(rows.map((r) => [Number(r.seq), Number(r.n)]));
      for (const seq of d.acked) {
        const n = stored.get(seq) ?? 0;
        if (n !== 1) problems.push(`${d.options.id} seq ${seq} stored ${n}×`);
      }
    }
    return problems;
  }

  consoleSaw(residentId: string, kind = 'sos'): boolean {
    return this.consoles.some((c) => c.sawResident(residentId, kind));
  }

  async close(): Promise<void> {
    this.stopTraffic();
    this.devices.forEach((d) => d.close());
    this.consoles.forEach((c) => c.close());
    for (const slot of this.slots) await slot.stop().catch(() => undefined);
    await this.db?.end().catch(() => undefined);
    await this.proxy.close();
    await this.redis.stop();
    await this.database.drop();
  }
}

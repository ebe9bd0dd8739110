// All simulated homes of one process: connects their devices, drives them on
// one open-loop schedule, and shuts them down cleanly.
import type { DeviceType } from '@anxin/contract';
import type { Clock } from '../clock';
import { mapWithConcurrency } from '../concurrency';
import { HomeModel } from '../homes/home-model';
import { createPersona } from '../homes/persona';
import { createRng } from '../homes/rng';
import { SimClock } from '../homes/routine';
import type { HomeCredentials } from '../provisioning/credentials';
import type { ScenarioDef } from '../scenarios/scenario';
import { ConnectRefusedError, type BrokerAddress } from '../transport/raw-client';
import { PeriodicScheduler } from '../transport/scheduler';
import { TransportStats } from '../transport/transport-stats';
import { SimDevice } from './sim-device';
import { SimHome } from './sim-home';

export interface FleetOptions {
  broker: BrokerAddress;
  seed: number;
  /** Telemetry messages per second per device (the open-loop rate). */
  rate: number;
  daySeconds: number;
  telemetryQos: 0 | 1;
  keepaliveSeconds: number;
  connectConcurrency: number;
}

export interface ConnectOutcome {
  connected: number;
  refused: number;
  failed: number;
  /** One line per distinct failure, for the log. */
  problems: string[];
}

const CONNECT_ATTEMPTS = 3;

export class Fleet {
  readonly stats = new TransportStats();
  readonly homes: SimHome[];
  /** Routine homes at --rate; scenario homes at least once a second (see start()). */
  private readonly schedulers: PeriodicScheduler<{ home: SimHome; device: SimDevice }>[];
  private maintainTimer: NodeJS.Timeout | null = null;

  constructor(
    homes: HomeCredentials[],
    scenarios: (ScenarioDef | null)[],
    private readonly options: FleetOptions,
    private readonly clock: Clock,
  ) {
    const rng = createRng(options.seed);
    const startedAt = clock();
    this.schedulers = [
      new PeriodicScheduler(1000 / options.rate, clock),
      new PeriodicScheduler(1000 / Math.max(1, options.rate), clock),
    ];
    this.homes = homes.map((creds) => {
      const homeRng = rng.fork(`home-${creds.resident.id}`);
      const scenario = scenarios[creds.index] ?? null;
      const devices = new Map<DeviceType, SimDevice>();
      for (const d of creds.devices) {
        // One device per type drives the routine; extra ones of a type stay unused.
        if (!devices.has(d.type)) devices.set(d.type, new SimDevice(d, options, this.stats, clock));
      }
      const persona = createPersona(homeRng.fork('persona'), creds.resident.home);
      const simClock = new SimClock(startedAt, homeRng.int(0, 1439), options.daySeconds);
      const model = new HomeModel(persona, homeRng.fork('model'), simClock, [...devices.keys()], scenario?.pin ?? null);
      return new SimHome(creds, model, devices, scenario, options.telemetryQos);
    });
  }

  get deviceCount(): number {
    return this.homes.reduce((n, h) => n + h.devices.size, 0);
  }

  /** Dials every device with bounded concurrency; transient failures are retried, refusals are not. */
  async connectAll(onProgress?: (done: number, total: number) => void): Promise<ConnectOutcome> {
    const devices = this.homes.flatMap((h) => [...h.devices.values()]);
    const outcome: ConnectOutcome = { connected: 0, refused: 0, failed: 0, problems: [] };
    const problem = (line: string) => {
      if (outcome.problems.length < 5 && !outcome.problems.includes(line)) outcome.problems.push(line);
    };
    let done = 0;
    await mapWithConcurrency(devices, this.options.connectConcurrency, async (device) => {
      for (let attempt = 1; ; attempt++) {
        try {
          await device.client.connect();
          outcome.connected += 1;
          break;
        } catch (error) {
          if (error instanceof ConnectRefusedError) {
            outcome.refused += 1;
            device.silent = true;
            problem(`device ${device.id} (${device.type}): ${error.message}`);
            break;
          }
          if (attempt >= CONNECT_ATTEMPTS) {
            outcome.failed += 1;
            device.silent = true;
            problem(`device ${device.id}: ${(error as Error).message}`);
            break;
          }
          await new Promise((r) => setTimeout(r, 500 * attempt));
        }
      }
      onProgress?.(++done, devices.length);
    });
    return outcome;
  }

  /** Starts every connected device on its slot of the schedule, and the keepalive sweep. */
  start(): void {
    for (const home of this.homes) {
      for (const device of home.devices.values()) {
        // A scenario's rule windows are seconds long (heartbeat 10 s, sustain 5 s): its home must
        // report at least every second whatever --rate a long, slow demo run uses.
        const [routine, scenario] = this.schedulers;
        if (!device.silent) (home.scenario ? scenario : routine)?.add({ home, device });
      }
    }
    for (const scheduler of this.schedulers) {
      scheduler.start(({ home, device }, intendedAt) => home.tick(device, intendedAt, this.clock()));
    }
    this.maintainTimer = setInterval(() => {
      const now = this.clock();
      for (const home of this.homes) for (const device of home.devices.values()) device.client.maintain(now);
    }, 1_000);
  }

  /** Waits for outstanding PUBACKs (up to `timeoutMs`); what is still missing then counts as lost. */
  async drain(timeoutMs: number): Promise<number> {
    const deadline = this.clock() + timeoutMs;
    for (;;) {
      const outstanding = this.outstanding();
      if (outstanding === 0 || this.clock() >= deadline) return outstanding;
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  outstanding(): number {
    let n = 0;
    for (const home of this.homes) {
      for (const device of home.devices.values()) if (!device.silent) n += device.client.inflightCount;
    }
    return n;
  }

  /** Stops publishing; devices stay connected (for the drain) until shutdown(). */
  stopPublishing(): void {
    for (const scheduler of this.schedulers) scheduler.stop();
  }

  async shutdown(): Promise<void> {
    this.stopPublishing();
    if (this.maintainTimer) clearInterval(this.maintainTimer);
    this.maintainTimer = null;
    const devices = this.homes.flatMap((h) => [...h.devices.values()]);
    await mapWithConcurrency(devices, 200, async (device) => {
      if (device.silent) await device.client.close();
      else await device.shutdown();
    });
  }

  get lateSlots(): number {
    return this.schedulers.reduce((n, s) => n + s.lateSlots, 0);
  }
}

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { SimOptions } from '../../../devices-sim/src/cli/options';
import { runSimulation } from '../../../devices-sim/src/cli/run';
import { Progress } from '../../../devices-sim/src/report/progress';
import { ADMIN_PASSWORD, type TestPlatform } from '../../support/platform-harness';

/**
 * The simulator run in this process against an in-process platform: a
 * scratch folder for its report and credentials, its output kept quiet (and
 * printed with SIM_DEBUG=1 when the file ends).
 */
export class SimHarness {
  readonly lines: string[] = [];
  readonly dir: string;
  private readonly quiet = {
    write: (s: string) => this.lines.push(s) > 0,
    isTTY: false,
  } as unknown as NodeJS.WriteStream;

  constructor(label: string) {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), `anxin-sim-${label}-`));
  }

  /** Two homes of SOS buttons, door and motion sensors for 8 s, unless `over` says otherwise. */
  options(t: TestPlatform, over: Partial<SimOptions> = {}): SimOptions {
    return {
      api: `http://127.0.0.1:${t.platform.httpPort}`,
      mqtt: { host: '127.0.0.1', port: t.platform.mqttPort, tls: false },
      mqttUrl: `mqtt://127.0.0.1:${t.platform.mqttPort}`,
      username: 'admin',
      password: ADMIN_PASSWORD,
      homes: 2,
      durationSeconds: 8,
      scenario: 'sos',
      report: path.join(this.dir, 'report.json'),
      seed: 11,
      credentials: path.join(this.dir, 'homes.json'),
      orgUnitId: null,
      rate: 1,
      mix: ['sos_button', 'door_sensor', 'motion_sensor'],
      graceSeconds: 4,
      daySeconds: 120,
      telemetryQos: 1,
      keepaliveSeconds: 30,
      timeZone: 'Asia/Shanghai',
      connectConcurrency: 10,
      provisionConcurrency: 4,
      ...over,
    };
  }

  run(options: SimOptions): ReturnType<typeof runSimulation> {
    return runSimulation(options, {
      progress: new Progress(this.quiet),
      out: (s) => this.lines.push(s),
      interrupted: new Promise(() => undefined),
    });
  }

  dispose(): void {
    if (process.env.SIM_DEBUG) process.stderr.write(this.lines.join(''));
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

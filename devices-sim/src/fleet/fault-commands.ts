// Runs the operator's --fault-command / --fault-recover-command for fault
// scenarios (infra_blip). The simulator only drives a remote platform, so the
// operator says how to break its Redis or database; the string is run as typed
// by /bin/sh and nothing of ours is ever spliced into it.
import { type ChildProcess, spawn } from 'node:child_process';
import type { Clock } from '../clock';

export type FaultStep = 'fault' | 'recover';

export interface FaultRun {
  incident: string;
  step: FaultStep;
  command: string;
  startedAt: number;
  /** Null while running, or when it could not start or was killed (see `error`). */
  exitCode: number | null;
  durationMs: number | null;
  error: string | null;
  /** The end of its output, to tell why it failed. */
  output: string;
}

export interface FaultCommandSpec {
  fault: string;
  recover?: string;
}

const OUTPUT_TAIL = 400;

export class FaultCommands {
  readonly runs: FaultRun[] = [];
  private readonly running = new Map<ChildProcess, Promise<void>>();

  constructor(
    private readonly spec: FaultCommandSpec,
    private readonly clock: Clock,
    private readonly log: (line: string) => void,
  ) {}

  /** Starts the step's command (a missing recover command is nothing to do); `problem` hears of a failure. */
  run(step: FaultStep, incident: string, problem: (line: string) => void): void {
    const command = step === 'fault' ? this.spec.fault : this.spec.recover;
    if (command === undefined) return;
    const run: FaultRun = {
      incident,
      step,
      command,
      startedAt: this.clock(),
      exitCode: null,
      durationMs: null,
      error: null,
      output: '',
    };
    this.runs.push(run);
    this.log(`${incident}: ${step} command started: ${command}`);
    const child = spawn(command, { shell: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (chunk: Buffer) => {
      run.output = (run.output + chunk.toString('utf8')).slice(-OUTPUT_TAIL);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    const done = new Promise<void>((resolve) => {
      // 'error' (spawn failed) may or may not be followed by 'close'; settle once.
      let settled = false;
      const finish = (exitCode: number | null, error: string | null) => {
        if (settled) return;
        settled = true;
        this.running.delete(child);
        run.exitCode = exitCode;
        run.error = error;
        run.durationMs = this.clock() - run.startedAt;
        const outcome = error ?? `exit code ${exitCode}`;
        this.log(`${incident}: ${step} command ended after ${(run.durationMs / 1000).toFixed(1)} s: ${outcome}`);
        if (exitCode !== 0) problem(`${step} command failed (${outcome}): ${run.output.trim() || command}`);
        resolve();
      };
      child.once('error', (error) => finish(null, `could not run: ${error.message}`));
      child.once('close', (code, signal) => finish(code, signal ? `killed by ${signal}` : null));
    });
    this.running.set(child, done);
  }

  /** Waits up to `timeoutMs` for commands still running, then kills them (they count as failed). */
  async settle(timeoutMs: number): Promise<void> {
    if (this.running.size === 0) return;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
    await Promise.race([Promise.all(this.running.values()), timeout]);
    clearTimeout(timer);
    const left = [...this.running];
    for (const [child] of left) child.kill('SIGKILL');
    await Promise.all(left.map(([, done]) => done));
  }

  /** Every command ran and exited 0. */
  get allSucceeded(): boolean {
    return this.runs.every((r) => r.exitCode === 0);
  }
}

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { systemClock } from '../clock';
import { FaultCommands } from './fault-commands';

describe('fault commands', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'anxin-fault-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("runs the operator's command as typed, then the recover command, and records their exit codes", async () => {
    const marker = path.join(dir, 'steps');
    const log: string[] = [];
    const problems: string[] = [];
    const faults = new FaultCommands(
      { fault: `echo fault "$0" >> ${marker}`, recover: `echo recover >> ${marker}; exit 0` },
      systemClock,
      (l) => log.push(l),
    );
    faults.run('fault', 'infra_blip@0', (l) => problems.push(l));
    await faults.settle(5_000);
    faults.run('recover', 'infra_blip@0', (l) => problems.push(l));
    await faults.settle(5_000);
    expect(fs.readFileSync(marker, 'utf8')).toMatch(/^fault \S*sh\nrecover\n$/);
    expect(faults.runs).toMatchObject([
      { incident: 'infra_blip@0', step: 'fault', exitCode: 0, error: null },
      { step: 'recover', exitCode: 0 },
    ]);
    expect(faults.allSucceeded).toBe(true);
    expect(problems).toEqual([]);
    expect(log.filter((l) => l.includes('exit code 0'))).toHaveLength(2);
  });

  it('reports a failing command and its output, and kills one still running at the end', async () => {
    const problems: string[] = [];
    const failing = new FaultCommands({ fault: 'echo no such redis >&2; exit 3' }, systemClock, () => undefined);
    failing.run('fault', 'infra_blip@1', (l) => problems.push(l));
    failing.run('recover', 'infra_blip@1', (l) => problems.push(l)); // no recover command: nothing to do
    await failing.settle(5_000);
    expect(failing.runs).toMatchObject([{ step: 'fault', exitCode: 3, output: 'no such redis\n' }]);
    expect(failing.allSucceeded).toBe(false);
    expect(problems).toEqual(['fault command failed (exit code 3): no such redis']);

    const hanging = new FaultCommands({ fault: 'exec sleep 30' }, systemClock, () => undefined);
    hanging.run('fault', 'infra_blip@2', (l) => problems.push(l));
    await hanging.settle(200);
    expect(hanging.runs[0]).toMatchObject({ exitCode: null, error: 'killed by SIGKILL' });
    expect(hanging.allSucceeded).toBe(false);
  });
});

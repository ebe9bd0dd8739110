import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { AlertView } from '@anxin/contract';
import { ApiClient } from '../../support/api-client';
import { exited, makeDataDir } from '../../support/platform-process';
import { createTestDatabase, type TestDatabase } from '../../support/test-database';
import { until } from '../../support/until';

const ROOT = path.resolve(__dirname, '../../..');
const DEMO_PASSWORD = 'anxin-demo';
/** What the demo may print that is not Chinese: its accounts and passwords, a key name. */
const ALLOWED_WORDS = [
  ...['admin', 'station1', 'station2', 'station3', 'volunteer1', 'volunteer2', 'doctor1', 'nurse1'],
  ...['property1', 'housekeeper1', 'housekeeper2', DEMO_PASSWORD, 'Ctrl-C'],
];

/** The words left in a line once addresses, paths, ids, numbers, settings and signal names are taken out. */
function englishIn(line: string): string[] {
  let rest = line
    .replace(/[a-z]+:\/\/\S+/g, ' ') // URLs
    .replace(/(?:\.{0,2}\/)?[\w.-]*\/[\w./-]+/g, ' ') // file paths
    .replace(/\b[A-Z][A-Z0-9]*_[A-Z0-9_]+(=\S+)?/g, ' ') // settings (DEMO_PACE=fast)
    .replace(/\bSIG[A-Z]+\b/g, ' ')
    .replace(/\b[0-9a-f]{8}-[0-9a-f-]{27}\b/g, ' ');
  for (const word of ALLOWED_WORDS) rest = rest.split(word).join(' ');
  return rest.match(/[A-Za-z]{2,}/g) ?? [];
}

/**
 * Issue 16: `npm run demo` at its fast pace with 30-second rounds, while an operator works: the
 * alert the operator acknowledged is not closed by the next round, the care profile the operator
 * edited survives the rounds, and the demo's own notes are Chinese.
 */
describe('npm run demo alongside an operator', () => {
  let database: TestDatabase;
  let dataDir: string;
  let demo: ChildProcess;
  let output = '';

  beforeAll(() => {
    // `npm run demo` builds the simulator after the platform; the e2e build makes the platform only.
    execFileSync(
      process.execPath,
      [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'devices-sim/tsconfig.build.json'],
      {
        cwd: ROOT,
        stdio: 'inherit',
      },
    );
  });
  afterAll(async () => {
    if (demo && demo.exitCode === null && demo.signalCode === null) {
      demo.kill('SIGKILL');
      await exited(demo);
    }
    await database?.drop();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('leaves the operator’s acknowledged alert and care profile alone, and speaks Chinese', async () => {
    database = await createTestDatabase('demo');
    dataDir = makeDataDir();
    demo = spawn(process.execPath, [path.join(ROOT, 'scripts/demo/demo.mjs')], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        DATABASE_URL: database.url,
        ANXIN_DATA_DIR: dataDir,
        HTTP_PORT: '0',
        HTTP_HOST: '127.0.0.1',
        MQTT_PORT: '0',
        MQTT_HOST: '127.0.0.1',
        DEMO_PACE: 'fast',
        DEMO_ROUND_SECONDS: '30',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    demo.stdout!.on('data', (c: Buffer) => (output += c.toString()));
    demo.stderr!.on('data', (c: Buffer) => (output += c.toString()));
    const simLog = () => fs.readFileSync(path.join(dataDir, 'demo-sim.log'), 'utf8');

    const port = await until(
      'the demo banner',
      async () => (output.includes('演示已启动') ? /网页端口 (\d+)/.exec(output)?.[1] : undefined),
      90_000,
    );
    const api = new ApiClient(`http://127.0.0.1:${port}`);
    const operator = await api.login('station1', DEMO_PASSWORD);

    // Round 1 raises alerts in station 1's homes; the operator takes one up.
    const alert = await until(
      "an alert of station 1's homes to acknowledge",
      async () => {
        const open = (await operator.get<AlertView[]>('/api/v1/alerts?status=open')).body;
        for (const candidate of open.filter((a) => a.kind !== 'sos')) {
          const ack = await operator.post(`/api/v1/alerts/${candidate.id}/acknowledge`, { note: '值班员已电话联系' });
          if (ack.status === 200) return candidate;
        }
        return undefined;
      },
      60_000,
    );
    // …and, while the round's shortened rules are on that resident, edits the care profile.
    const before = (await operator.get(`/api/v1/residents/${alert.residentId}`)).body;
    const edited = { ...before.careProfile, responderNotes: '钥匙在门卫室，先打女儿电话' };
    expect((await operator.patch(`/api/v1/residents/${alert.residentId}`, { careProfile: edited })).status).toBe(200);

    // Round 1 ends (its rules taken off), round 2 starts (stale alerts closed, rules laid on again).
    await until('the first round summary', async () => (output.includes('第 1 轮') ? true : undefined), 90_000);
    await until(
      'round 2 to connect its devices',
      async () => (/=== round 2[\s\S]*connected \d+\/\d+ devices/.test(simLog()) ? true : undefined),
      60_000,
    );

    const after = (await operator.get<AlertView>(`/api/v1/alerts/${alert.id}`)).body;
    expect(after.status).toBe('acknowledged');
    const resident = (await operator.get(`/api/v1/residents/${alert.residentId}`)).body;
    expect(resident.careProfile.responderNotes).toBe('钥匙在门卫室，先打女儿电话');

    demo.kill('SIGINT');
    expect(await exited(demo)).toBe(0);

    // Every line the demo writes itself is Chinese (not a terminal: no colour codes); the platform's and
    // the simulator's own log lines it passes on ([平台], [模拟器]) keep their original words.
    const lines = output.split('\n').filter((l) => l.trim() !== '' && !/^\s*\[(平台|模拟器)\]/.test(l));
    expect(lines.length).toBeGreaterThan(20);
    const english = lines.map((line) => ({ line, words: englishIn(line) })).filter((l) => l.words.length > 0);
    expect(english).toEqual([]);
  }, 240_000);
});

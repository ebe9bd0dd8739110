import net from 'node:net';
import { exitCodeFor } from '../../../devices-sim/src/report/report';
import { startTestPlatform, type TestPlatform, unique } from '../../support/platform-harness';
import { type PrivateRedis, startPrivateRedis } from '../../support/private-redis';
import { SimHarness } from './sim-harness';

const PAUSE_MS = 8_000;

/** PINGs Redis back to back on its own connection; the longest unanswered stretch is the stall a pause made. */
function watchStalls(port: number): { stop(): { from: number; to: number } } {
  const socket = net.connect({ host: '127.0.0.1', port });
  socket.on('error', () => undefined);
  let sentAt = Date.now();
  let longest = { from: 0, to: 0 };
  socket.on('connect', () => socket.write('PING\r\n'));
  socket.on('data', () => {
    const now = Date.now();
    if (now - sentAt > longest.to - longest.from) longest = { from: sentAt, to: now };
    sentAt = now;
    setTimeout(() => {
      sentAt = Date.now();
      socket.write('PING\r\n');
    }, 50);
  });
  return {
    stop: () => {
      socket.destroy();
      return longest;
    },
  };
}

// Issue 11 §3 in the simulator: an SOS pressed while the platform's Redis is paused (CLIENT PAUSE, as in a
// failover or a stall) must still reach the console. The simulator runs the operator's --fault-command; here
// it pauses this test's private redis-server, never the machine's shared one.
describe('simulator: infra_blip against a paused Redis', () => {
  let redis: PrivateRedis;
  let t: TestPlatform;
  let sim: SimHarness;

  beforeAll(async () => {
    redis = await startPrivateRedis();
    t = await startTestPlatform({ REDIS_URL: redis.url, ANXIN_QUEUE_PREFIX: unique('simblip') });
    sim = new SimHarness('blip');
  });
  afterAll(async () => {
    sim.dispose();
    await t.stop();
    await redis.stop();
  });

  it('presses SOS during the Redis pause and still matches exactly one sos alert, nothing false', async () => {
    const options = sim.options(t, {
      homes: 1,
      // 3 s warm-up + the 13 s the scenario needs (fault, SOS 3 s in, recovery at 10 s).
      durationSeconds: 17,
      scenario: 'infra_blip',
      seed: 31,
      graceSeconds: 15,
      faultCommand: `redis-cli -h 127.0.0.1 -p ${redis.port} client pause ${PAUSE_MS} all`,
    });
    const stalls = watchStalls(redis.port);
    const report = await sim.run(options);
    const stall = stalls.stop();

    expect(report).toMatchObject({ incidents: 1, alertsMatched: 1, missedAlerts: 0, falseAlerts: 0 });
    expect(report.details.incidents[0]).toMatchObject({ expect: 'sos', problems: [] });
    expect(report.faults).toMatchObject([{ incident: 'infra_blip@0', step: 'fault', exitCode: 0, error: null }]);
    expect(exitCodeFor(report)).toBe(0);

    // The pause really happened, and the SOS was pressed while Redis was not answering.
    expect(stall.to - stall.from).toBeGreaterThanOrEqual(PAUSE_MS - 1_500);
    const pressedAt = Date.parse(report.details.incidents[0]!.triggerAt!);
    expect(pressedAt).toBeGreaterThan(stall.from);
    expect(pressedAt).toBeLessThan(stall.to);

    // The alert the console showed is the platform's stored SOS of this resident.
    const alertId = report.details.incidents[0]!.alertIds[0]!;
    const alert = (await t.admin.get(`/api/v1/alerts/${alertId}`)).body;
    expect(alert).toMatchObject({ kind: 'sos', residentId: report.details.incidents[0]!.residentId });
    sim.lines.push(`infra_blip latency ${report.latencyMs.max} ms\n`);
  });
});

import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { watchConsole, type ConsoleWatcher } from '../../support/console-client';
import { createCenter, createStation, type StationFixture } from '../../support/fixtures';
import { startTestPlatform, type TestPlatform } from '../../support/platform-harness';
import { createHome } from '../alerts/alert-harness';

const SECRET = 'webhook-secret-for-tests';

interface Received {
  body: string;
  signature: string | undefined;
  delivery: string | undefined;
  answered: number;
}

/** Issue 11 §2: emergency contacts are notified through a durable outbox with retries, signed and on the timeline. */
describe('notifying emergency contacts', () => {
  let t: TestPlatform;
  let s: StationFixture;
  let console: ConsoleWatcher;
  let receiver: Server;
  /** How the gateway answers the n-th POST for one alert (by alert id). */
  let answer: (alertId: string, n: number) => number | 'reset' = () => 200;
  const received: (Received & { alertId: string })[] = [];

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const alertId = (JSON.parse(body) as { alert: { id: string } }).alert.id;
        const n = received.filter((r) => r.alertId === alertId).length + 1;
        const how = answer(alertId, n);
        received.push({
          alertId,
          body,
          signature: req.headers['x-anxin-signature'] as string | undefined,
          delivery: req.headers['x-anxin-delivery'] as string | undefined,
          answered: how === 'reset' ? 0 : how,
        });
        if (how === 'reset') return req.socket.destroy();
        res.writeHead(how).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
    const port = (receiver.address() as AddressInfo).port;
    t = await startTestPlatform({
      ANXIN_QUEUE_PREFIX: `q${Date.now().toString(36)}notify`,
      ANXIN_NOTIFY_WEBHOOK_URL: `http://127.0.0.1:${port}/anxin`,
      ANXIN_NOTIFY_WEBHOOK_SECRET: SECRET,
      ANXIN_NOTIFY_RETRY_SECONDS: '1',
      ANXIN_NOTIFY_MAX_ATTEMPTS: '3',
      ANXIN_ESCALATE_CRITICAL_SECONDS: '1',
      ANXIN_ESCALATE_MAX_LEVEL: '1',
    });
    s = await createStation(t.admin, await createCenter(t.admin));
    console = await watchConsole(t.api.baseUrl, s.operator.token!);
  });
  afterAll(async () => {
    console.close();
    await t.stop();
    await new Promise((r) => receiver.close(r));
  });

  async function sosNobodyAcknowledges(): Promise<string> {
    const home = await createHome(s.operator, t.mqttPort, s.communityId, ['sos_button']);
    await s.operator.patch(`/api/v1/residents/${home.residentId}`, {
      emergencyContacts: [{ name: '李明', relation: '儿子', phone: '13900000001' }],
    });
    await home.event('sos_button', 'sos');
    const alert = await console.waitFor('alert:raised', (a) => a.residentId === home.residentId);
    home.close();
    return alert.id;
  }
  const timeline = async (alertId: string) =>
    ((await s.operator.get(`/api/v1/alerts/${alertId}`)).body.audit as { action: string; detail: any }[]).reverse();
  const until = async <T>(what: () => Promise<T | undefined>, ms = 15_000): Promise<T> => {
    const end = Date.now() + ms;
    for (;;) {
      const v = await what();
      if (v !== undefined) return v;
      if (Date.now() > end) throw new Error('timed out');
      await new Promise((r) => setTimeout(r, 200));
    }
  };

  it('retries a failing gateway with backoff and delivers once, signed, each try on the timeline', async () => {
    answer = (_alertId, n) => (n <= 2 ? 503 : 200);
    const alertId = await sosNobodyAcknowledges();
    const tries = await until(async () => {
      const mine = received.filter((r) => r.alertId === alertId);
      return mine.some((r) => r.answered === 200) ? mine : undefined;
    });
    expect(tries.map((r) => r.answered)).toEqual([503, 503, 200]);
    const delivered = tries[2]!;
    expect(delivered.signature).toBe(`sha256=${createHmac('sha256', SECRET).update(delivered.body).digest('hex')}`);
    const payload = JSON.parse(delivered.body);
    expect(payload).toMatchObject({
      type: 'alert.escalated',
      escalationLevel: 1,
      attempt: 3,
      alert: { id: alertId, kind: 'sos' },
      contacts: [{ name: '李明', phone: '13900000001' }],
    });
    expect(new Set(tries.map((r) => r.delivery))).toEqual(new Set([payload.id]));
    const steps = await until(async () => {
      const all = (await timeline(alertId)).filter((e) => e.action.startsWith('alert.notify'));
      return all.length >= 3 ? all : undefined;
    });
    expect(steps.map((e) => [e.action, e.detail.attempt])).toEqual([
      ['alert.notify_retry', 1],
      ['alert.notify_retry', 2],
      ['alert.notify_sent', 3],
    ]);
    // backoff: the second retry waited longer than the first
    expect(steps[1]!.detail.retryInSeconds).toBeGreaterThan(steps[0]!.detail.retryInSeconds);
    await new Promise((r) => setTimeout(r, 2500));
    expect(received.filter((r) => r.alertId === alertId && r.answered === 200)).toHaveLength(1);
    expect((await s.operator.get(`/api/v1/alerts/${alertId}`)).body.notificationFailed).toBe(false);
  });

  it('shows the operator a notification that failed after every try', async () => {
    answer = () => 'reset';
    const alertId = await sosNobodyAcknowledges();
    const failed = await console.waitFor(
      'alert:updated',
      (a) => a.id === alertId && a.notificationFailed === true,
      20_000,
    );
    expect(failed.status).toBe('open');
    expect(received.filter((r) => r.alertId === alertId)).toHaveLength(3);
    const last = (await timeline(alertId)).filter((e) => e.action.startsWith('alert.notify')).at(-1)!;
    expect(last).toMatchObject({ action: 'alert.notify_failed', detail: { attempt: 3, maxAttempts: 3 } });
    expect((await s.operator.get(`/api/v1/alerts/${alertId}`)).body.notificationFailed).toBe(true);
  });
});

// The faults of issue 11 §4 and how one is played and judged; the e2e suite asserts on the outcome,
// the bench's `faults` scenario prints it.
import { type FaultRig, type SosHome, sleep, waitUntil } from './fault-rig';

export interface Fault {
  name: string;
  inject(rig: FaultRig): Promise<void>;
  /** How long the fault lasts before `restore`. */
  lastsMs: number;
  restore(rig: FaultRig): Promise<void>;
  /** The dependency /api/v1/health must report down while the fault lasts (proof the fault hit the platform). */
  reportsDown?: 'database' | 'redis';
}

export const FAULTS: Fault[] = [
  {
    name: 'kill -9 of one platform process',
    inject: (rig) => rig.slots[1]!.kill9(),
    lastsMs: 6_000,
    restore: (rig) => rig.slots[1]!.start(),
  },
  {
    name: 'pg_terminate_backend of every platform connection',
    inject: (rig) => rig.terminateBackends(),
    lastsMs: 2_000,
    // twice: a pool that just replaced its connections is cut again
    restore: (rig) => rig.terminateBackends(),
  },
  {
    name: 'the database refusing connections for 15 s',
    inject: (rig) => rig.proxy.refuse(),
    lastsMs: 15_000,
    restore: (rig) => rig.proxy.accept(),
    reportsDown: 'database',
  },
  {
    name: 'Redis killed for 10 s and restarted on the same port',
    inject: (rig) => rig.redis.kill(),
    lastsMs: 10_000,
    restore: (rig) => rig.redis.start(),
    reportsDown: 'redis',
  },
  {
    name: 'Redis paused for 10 s (CLIENT PAUSE)',
    inject: (rig) => rig.redis.pause(10_000),
    lastsMs: 10_000,
    restore: async () => undefined,
    reportsDown: 'redis',
  },
];

/** SOS homes one fault uses. */
export const HOMES_PER_FAULT = 3;

export interface FaultOutcome {
  fault: string;
  /** From the end of the fault until both processes are healthy, every event acknowledged and the SOS seen. */
  recoveryMs: number;
  /** SOS presses (of 3) that never reached a console. */
  alertsLost: number;
  /** PUBACKed events not stored exactly once, plus events still unacknowledged when recovery gave up. */
  eventsLost: number;
  /** Escalations (2) and offer time-outs (1) due during the fault that never fired. */
  timersLost: number;
  eventsAcked: number;
  retries: number;
  failures: string[];
}

/** Recovery waits are generous: they bound a hang, they do not measure speed. */
const RECOVERY_MS = 45_000;
const TIMER_MS = 30_000;

/**
 * Before the fault an SOS is left unacknowledged (its escalation falls due during the fault) and another is
 * dispatched to a caregiver who never answers (its offer times out during the fault); a third button, asleep
 * until pressed, connects for the first time and presses SOS during the fault. Then the fault ends and
 * everything is judged.
 */
export async function playFault(rig: FaultRig, fault: Fault, homes: SosHome[]): Promise<FaultOutcome> {
  await rig.ensureRunning();
  const crashesBefore = rig.slots.map((s) => s.crashes.length);
  const sum = (f: (d: (typeof rig.devices)[number]) => number) => rig.devices.reduce((n, d) => n + f(d), 0);
  const retriesBefore = sum((d) => d.retries);
  const [unanswered, dispatched, during] = homes as [SosHome, SosHome, SosHome];

  unanswered.device.send('sos');
  dispatched.device.send('sos');
  const alert = await waitUntil('the dispatched SOS raised', () => rig.alertOf(dispatched.residentId), 15_000);
  const order = await rig.admin.post(`/api/v1/alerts/${alert.id}/dispatch`, { caregiverId: rig.caregiverId });
  if (order.status !== 201) throw new Error(`dispatch: ${order.status} ${JSON.stringify(order.body)}`);
  await waitUntil('the unanswered SOS raised', () => rig.alertOf(unanswered.residentId), 15_000);

  const health = rig.watchHealth();
  await fault.inject(rig);
  await sleep(500);
  // Asleep until now: its first CONNECT (credentials never checked before) meets the fault.
  during.device.send('sos');
  await sleep(fault.lastsMs);
  const reportedDown = await health.stop();
  await fault.restore(rig);
  const restoredAt = Date.now();

  const failures: string[] = [];
  if (fault.reportsDown && !reportedDown.has(fault.reportsDown)) {
    failures.push(`health never reported ${fault.reportsDown} down during the fault`);
  }
  const check = async (what: string, fn: () => Promise<unknown>): Promise<boolean> => {
    // With every process gone there is nothing to wait for: report it instead of timing out.
    if (!rig.slots.some((s) => s.alive)) {
      failures.push(`${what}: skipped, no platform process is up`);
      return false;
    }
    return fn().then(
      () => true,
      (error: Error) => failures.push(`${what}: ${error.message}`) < 0,
    );
  };
  const allHealthy = async () => (await Promise.all(rig.slots.map((s) => s.healthy()))).every(Boolean);
  await check('both processes healthy again', () => waitUntil('health 200', allHealthy, RECOVERY_MS));
  const drained = await check('every event acknowledged', () =>
    // A device refused for good never empties its outbox; that is reported below, not waited for.
    waitUntil('outboxes empty', async () => rig.devices.every((d) => d.pending === 0 || d.gaveUp), RECOVERY_MS),
  );
  await check('the SOS pressed during the fault reached a console', () =>
    waitUntil('console', async () => rig.consoleSaw(during.residentId) || during.device.gaveUp !== null, RECOVERY_MS),
  );
  const recoveryMs = Date.now() - restoredAt;
  const escalated = (home: SosHome) => async () => ((await rig.alertOf(home.residentId))?.escalation_level ?? 0) >= 1;
  const timers = [
    await check('the escalation due during the fault fired', () =>
      waitUntil('escalation level 1', escalated(unanswered), TIMER_MS),
    ),
    await check('the SOS pressed during the fault escalated', () =>
      waitUntil('escalation level 1', escalated(during), TIMER_MS),
    ),
    await check('the offer due to time out during the fault timed out', () =>
      waitUntil(
        'order no longer offered',
        async () => (await rig.orderOf(order.body.id)).status !== 'offered',
        TIMER_MS,
      ),
    ),
  ];
  const unseen = homes.filter((h) => !rig.consoleSaw(h.residentId));
  for (const home of unseen) failures.push(`the SOS of resident ${home.residentId} never reached a console`);
  const notStored = await rig.ackedNotStoredOnce();
  if (notStored.length) failures.push(`PUBACKed but not stored exactly once: ${notStored.slice(0, 5).join('; ')}`);
  const gaveUp = rig.devices.filter((d) => d.gaveUp).map((d) => `${d.options.id} ${d.gaveUp}`);
  if (gaveUp.length) failures.push(`devices refused for good: ${gaveUp.slice(0, 3).join('; ')}`);
  rig.slots.forEach((s, i) => failures.push(...s.crashes.slice(crashesBefore[i])));

  return {
    fault: fault.name,
    recoveryMs,
    alertsLost: unseen.length,
    // Traffic goes on, so a few events are always in flight: only a backlog that never drained is lost,
    // and everything a device refused for good still holds.
    eventsLost: notStored.length + sum((d) => (!drained || d.gaveUp ? d.pending : 0)),
    timersLost: timers.filter((fired) => !fired).length,
    eventsAcked: sum((d) => d.acked.length),
    retries: sum((d) => d.retries) - retriesBefore,
    failures,
  };
}

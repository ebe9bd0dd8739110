import { FAULTS, HOMES_PER_FAULT, playFault } from './fault-cases';
import { FaultRig } from './fault-rig';

/**
 * Issue 11 §4: two platform processes on one PostgreSQL (behind a proxy the test controls) and one private
 * Redis, a fleet publishing QoS 1 events and SOS presses, one fault at a time (fault-cases.ts). After each:
 * no process exited by itself, every PUBACKed event is stored exactly once, every SOS reached a console, and
 * every escalation and offer time-out due during the fault fired after recovery.
 */
describe('faults: nothing crashes, nothing is forgotten (two processes, PostgreSQL, Redis)', () => {
  let rig: FaultRig;
  let nextHome = 0;

  beforeAll(async () => {
    rig = await FaultRig.start({ sosHomes: FAULTS.length * HOMES_PER_FAULT, bulkDevices: 6 });
    rig.startTraffic();
  }, 180_000);
  afterAll(async () => {
    await rig?.close();
  }, 60_000);

  it.each(FAULTS.map((f) => [f.name, f] as const))(
    'survives %s',
    async (_name, fault) => {
      const homes = rig.sosHomes.slice(nextHome, nextHome + HOMES_PER_FAULT);
      nextHome += HOMES_PER_FAULT;
      const outcome = await playFault(rig, fault, homes);
      console.log(
        `fault "${fault.name}": recovered in ${outcome.recoveryMs} ms; ${outcome.retries} publishes retried; ` +
          `alerts lost ${outcome.alertsLost}, events lost ${outcome.eventsLost} (${outcome.eventsAcked} acknowledged so far), ` +
          `timers lost ${outcome.timersLost}; ${outcome.failures.join(' | ') || 'no losses'}`,
      );
      expect(outcome.failures).toEqual([]);
      expect([outcome.alertsLost, outcome.eventsLost, outcome.timersLost]).toEqual([0, 0, 0]);
    },
    240_000,
  );
});

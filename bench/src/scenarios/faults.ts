// FAULTS (issue 11 §4): two platform processes sharing the machine's PostgreSQL (behind a TCP proxy) and a
// private Redis, a small fleet, and the e2e fault suite's faults one at a time (test/e2e/faults). Prints,
// per fault, the recovery time and what was lost: alerts, events and timers, all of which must be 0.
import { FAULTS, type FaultOutcome, HOMES_PER_FAULT, playFault } from '../../../test/e2e/faults/fault-cases';
import { FaultRig } from '../../../test/e2e/faults/fault-rig';
import { type BenchContext, newResult, type ScenarioResult } from './context';

export async function runFaults(ctx: BenchContext): Promise<ScenarioResult> {
  const result = newResult('FAULTS', 'faults');
  ctx.log('  starting two platform processes on a private Redis and a proxied PostgreSQL');
  const rig = await FaultRig.start({ sosHomes: FAULTS.length * HOMES_PER_FAULT, bulkDevices: 6 });
  const outcomes: FaultOutcome[] = [];
  try {
    rig.startTraffic();
    for (const [i, fault] of FAULTS.entries()) {
      const homes = rig.sosHomes.slice(i * HOMES_PER_FAULT, (i + 1) * HOMES_PER_FAULT);
      const o = await playFault(rig, fault, homes);
      outcomes.push(o);
      ctx.log(
        `  ${fault.name}: recovery ${o.recoveryMs} ms; alerts lost ${o.alertsLost}, events lost ${o.eventsLost}, timers lost ${o.timersLost}`,
      );
      const lost = o.alertsLost + o.eventsLost + o.timersLost;
      result.rows.push({
        scenario: 'FAULTS',
        figure: `${fault.name}: recovery; alerts / events / timers lost`,
        anxin: `${o.recoveryMs} ms; ${o.alertsLost} / ${o.eventsLost} / ${o.timersLost}`,
        peer: '—',
        peerName: 'none (nothing may be lost)',
        ratio: null,
        goal: '0 / 0 / 0, no process exits',
        verdict: lost === 0 && o.failures.length === 0 ? 'met' : `MISSED: ${o.failures.join(' | ')}`,
      });
    }
  } finally {
    await rig.close();
  }
  const total = (f: (o: FaultOutcome) => number) => outcomes.reduce((n, o) => n + f(o), 0);
  result.notes.push(
    `alerts lost ${total((o) => o.alertsLost)}, events lost ${total((o) => o.eventsLost)}, timers lost ${total((o) => o.timersLost)} over ${outcomes.length} faults (${outcomes.at(-1)?.eventsAcked ?? 0} events acknowledged); recovery = end of the fault until both processes answer health 200, every device's outbox is empty and the SOS pressed during the fault is on a console.`,
  );
  if (outcomes.some((o) => o.failures.length > 0)) result.status = 'error';
  result.details = { outcomes };
  return result;
}

// Plays each home's scenario script at its scheduled time and records the
// ground truth the matcher needs: which resident, which alert, and the moment
// the alert became due.
import type { DeviceType } from '@anxin/contract';
import type { Clock } from '../clock';
import type { IncidentRecord } from '../matching/incident';
import type { IncidentContext } from '../scenarios/scenario';
import type { IncidentSlot } from '../scenarios/plan';
import type { AlertDispatcher } from './alert-dispatcher';
import type { FaultCommands, FaultStep } from './fault-commands';
import { ACTIVITY_EVENTS, type SimHome } from './sim-home';

export class IncidentRunner {
  readonly records: IncidentRecord[] = [];
  private readonly timers: NodeJS.Timeout[] = [];

  constructor(
    private readonly clock: Clock,
    private readonly log: (line: string) => void,
    private readonly dispatcher: AlertDispatcher | null = null,
    private readonly faults: FaultCommands | null = null,
  ) {}

  /** Schedules every slot relative to `phaseStartMs` (clock time). */
  schedule(slots: IncidentSlot[], homes: readonly SimHome[], phaseStartMs: number): void {
    for (const slot of slots) {
      const home = homes[slot.homeIndex];
      if (!home) continue;
      const def = slot.scenario;
      const record: IncidentRecord = {
        id: `${def.name}@${home.index}`,
        scenario: def.name,
        homeIndex: home.index,
        residentId: home.residentId,
        expect: def.expect,
        lookalikeOf: def.lookalikeOf ?? null,
        expectOutcome: def.expectOutcome ?? null,
        expectOrderStatus: def.expectOrderStatus ?? null,
        windowMs: def.windowSeconds * 1000,
        startedAt: null,
        triggerAt: null,
        problems: [],
      };
      this.records.push(record);
      const ctx = this.contextFor(home, record);
      for (const step of def.steps) {
        const dueAt = phaseStartMs + (slot.startAt + step.at) * 1000;
        this.timers.push(
          setTimeout(
            () => {
              record.startedAt ??= this.clock();
              try {
                step.run(ctx);
              } catch (error) {
                record.problems.push(`step at ${step.at}s failed: ${(error as Error).message}`);
                this.log(`scenario ${record.id}: step at ${step.at}s failed: ${(error as Error).message}`);
              }
            },
            Math.max(0, dueAt - this.clock()),
          ),
        );
      }
    }
  }

  /** Incidents that have started (only those count as injected). */
  injected(): IncidentRecord[] {
    return this.records.filter((r) => r.startedAt !== null);
  }

  cancelPending(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.length = 0;
  }

  private contextFor(home: SimHome, record: IncidentRecord): IncidentContext {
    const now = () => this.clock();
    const requireDevice = (type: DeviceType) => {
      const device = home.devices.get(type);
      if (!device) throw new Error(`home ${home.index} has no ${type}`);
      return device;
    };
    const fault = (step: FaultStep) => {
      if (!this.faults) throw new Error('this run has no --fault-command');
      this.faults.run(step, record.id, (line) => {
        record.problems.push(line);
        this.log(`scenario ${record.id}: ${line}`);
      });
    };
    const sent = (at: number | null, what: string): number => {
      if (at !== null) return at;
      // Not sent (device not connected): keep going, but the incident is marked so a miss is explained.
      record.problems.push(`${what} could not be sent`);
      return now();
    };
    return {
      home: home.model,
      now,
      sendEvent: (type, eventType, extra = {}) => {
        requireDevice(type);
        return sent(home.publish(home.model.event(type, eventType, ACTIVITY_EVENTS.has(eventType), extra)), eventType);
      },
      sendTelemetry: (type) => {
        requireDevice(type);
        return sent(home.publish(home.model.telemetry(type, now())), `${type} telemetry`);
      },
      setActivity: (activity) => {
        for (const message of home.model.pin(activity, now())) home.publish(message);
      },
      silence: (type) => requireDevice(type).silence(),
      cutConnection: (type) => requireDevice(type).powerLoss(),
      lastPublishAt: (type) => home.devices.get(type)?.lastPublishAt ?? null,
      lastActivityAt: () => home.lastActivityAt,
      markTrigger: (at) => {
        record.triggerAt ??= at;
      },
      dispatchAlert: (kind) => {
        if (!this.dispatcher) throw new Error('this run cannot dispatch alerts');
        this.dispatcher.request(home.residentId, kind, now(), (line) => {
          record.problems.push(line);
          this.log(`scenario ${record.id}: ${line}`);
        });
      },
      startFault: () => fault('fault'),
      endFault: () => fault('recover'),
    };
  }
}

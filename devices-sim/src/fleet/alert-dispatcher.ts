// Dispatches alerts as the operator the simulator logs in with (CONTRACT §3
// POST /alerts/{id}/dispatch), for scenarios whose ground truth is about what
// happens to the order (nobody accepts an emergency → "unassigned").
import type { AlertKind } from '@anxin/contract';
import type { AlertObservation } from '../matching/incident';

interface Request {
  residentId: string;
  kind: AlertKind;
  /** Only an alert first seen at or after this moment answers the request. */
  since: number;
  problem(line: string): void;
}

export class AlertDispatcher {
  private readonly pending: Request[] = [];
  readonly dispatched: string[] = [];

  constructor(
    private readonly api: { post<T>(path: string, body?: unknown): Promise<T> },
    private readonly log: (line: string) => void,
  ) {}

  /** Dispatch the next alert of `kind` the console shows raised for the resident. */
  request(residentId: string, kind: AlertKind, since: number, problem: (line: string) => void): void {
    this.pending.push({ residentId, kind, since, problem });
  }

  /** Fed with every console observation, in arrival order. */
  observe(obs: AlertObservation): void {
    if (obs.event !== 'raised') return;
    const i = this.pending.findIndex(
      (r) => r.residentId === obs.alert.residentId && r.kind === obs.alert.kind && obs.at >= r.since,
    );
    if (i < 0) return;
    const [request] = this.pending.splice(i, 1);
    const alertId = obs.alert.id;
    this.dispatched.push(alertId);
    this.api.post(`/api/v1/alerts/${alertId}/dispatch`, {}).then(
      () => this.log(`dispatched alert ${alertId}`),
      (error: unknown) => request!.problem(`could not dispatch alert ${alertId}: ${(error as Error).message}`),
    );
  }
}

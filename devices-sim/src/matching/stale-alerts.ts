// Alerts still open for the simulator's residents from an earlier run would
// absorb this run's incidents (the platform folds a repeat into the open alert,
// so no alert:raised would come). They are closed first, as an operator would —
// but only those nobody else took up: an alert a person acknowledged or
// dispatched is theirs to close (the demo runs while operators work).
import type { AlertView } from '@anxin/contract';
import { mapWithConcurrency } from '../concurrency';
import { ApiError, type SimApiClient } from '../provisioning/api-client';

export async function resolveStaleAlerts(
  api: SimApiClient,
  snapshot: readonly AlertView[],
  residentIds: ReadonlySet<string>,
  ownUserId: string,
): Promise<{ resolved: number; handledByOthers: number; failed: string[] }> {
  const left = snapshot.filter((a) => residentIds.has(a.residentId) && a.status !== 'resolved');
  const stale = left.filter((a) => a.status === 'open' || a.acknowledgedBy === ownUserId);
  const failed: string[] = [];
  let resolved = 0;
  await mapWithConcurrency(stale, 8, async (alert) => {
    try {
      await api.post(`/api/v1/alerts/${alert.id}/resolve`, {
        outcome: 'other',
        note: 'closed by the device simulator before a new run',
      });
      resolved += 1;
    } catch (error) {
      // A 409 means it was resolved meanwhile; anything else is reported but does not stop the run.
      if (!(error instanceof ApiError && error.status === 409)) failed.push(`${alert.id}: ${(error as Error).message}`);
    }
  });
  return { resolved, handledByOthers: left.length - stale.length, failed };
}

// Alerts still open for the simulator's residents from an earlier run would
// absorb this run's incidents (the platform folds a repeat into the open alert,
// so no alert:raised would come). They are closed first, as an operator would.
import type { AlertView } from '@anxin/contract';
import { mapWithConcurrency } from '../concurrency';
import { ApiError, type SimApiClient } from '../provisioning/api-client';

export async function resolveStaleAlerts(
  api: SimApiClient,
  snapshot: readonly AlertView[],
  residentIds: ReadonlySet<string>,
): Promise<{ resolved: number; failed: string[] }> {
  const stale = snapshot.filter((a) => residentIds.has(a.residentId) && a.status !== 'resolved');
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
  return { resolved, failed };
}

// Between rounds: close every alert still active, so the next SOS on a
// resident raises a new alert instead of folding into an open one.
import type { AlertView } from '@anxin/contract';
import { mapWithConcurrency } from '../../../devices-sim/src/concurrency';
import type { SimApiClient } from '../../../devices-sim/src/provisioning/api-client';

export async function resolveActiveAlerts(api: SimApiClient): Promise<number> {
  let resolved = 0;
  for (let pass = 0; pass < 50; pass++) {
    const page = await api.get<AlertView[]>('/api/v1/alerts?status=open,acknowledged,dispatched&limit=500');
    if (page.length === 0) break;
    await mapWithConcurrency(page, 16, async (alert) => {
      try {
        await api.post(`/api/v1/alerts/${alert.id}/resolve`, { outcome: 'false_alarm', note: 'bench' });
        resolved += 1;
      } catch {
        // resolved meanwhile (e.g. a caregiver completed its order)
      }
    });
  }
  return resolved;
}

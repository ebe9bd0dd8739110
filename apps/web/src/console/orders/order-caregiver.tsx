import type { ServiceOrderView } from '@anxin/contract';
import { useDirectory } from '../registry/directory';

/** Who has the order, or whom the offer waits on: names from the order (issue 16), else the directory's. */
export function OrderCaregiver({ order }: { order: ServiceOrderView }) {
  const directory = useDirectory();
  if (order.assigneeId) return <>{order.assigneeName ?? directory.userName(order.assigneeId)}</>;
  if (order.offeredTo)
    return <span className="muted">→ {order.offeredToName ?? directory.userName(order.offeredTo)}</span>;
  return <>—</>;
}

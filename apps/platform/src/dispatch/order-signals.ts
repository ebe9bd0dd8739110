import { EventEmitter } from 'node:events';
import type { OrderRow } from './orders.repository';

/** After commit: `offered` goes to one caregiver, `updated` to the assignee and the consoles, `unassigned` to the consoles. */
export class OrderSignals extends EventEmitter<{
  offered: [order: OrderRow];
  updated: [order: OrderRow];
  unassigned: [order: OrderRow];
}> {}

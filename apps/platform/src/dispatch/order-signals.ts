import { EventEmitter } from 'node:events';
import { Injectable } from '@nestjs/common';
import type { OrderRow } from './orders.repository';

/**
 * After commit: `offered` goes to everyone the offer waits on, `updated` to the assignee and the consoles,
 * `unassigned` to the consoles, `withdrawn` to caregivers whose offer ended (time-out, taken, declined, cancelled) as a bare notice.
 */
@Injectable()
export class OrderSignals extends EventEmitter<{
  offered: [order: OrderRow];
  updated: [order: OrderRow];
  unassigned: [order: OrderRow];
  withdrawn: [order: OrderRow, caregiverIds: string[]];
}> {}

import { EventEmitter } from 'node:events';
import type { AlertView } from '@anxin/contract';

/** Emitted after commit (persist first, then emit); realtime and dispatch listen. */
export class AlertSignals extends EventEmitter<{ raised: [alert: AlertView]; updated: [alert: AlertView] }> {}

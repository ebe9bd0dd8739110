/** Every delayed or scheduled job of the platform, by name → payload (STYLE: one typed registry). */
export interface PlatformJobMap {
  'escalate-alert': { alertId: string; level: number };
  'check-bed-return': { residentId: string; exitEventId: string };
  'inactivity-sweep': Record<string, never>;
  'offer-timeout': { orderId: string; caregiverId: string; attempt: number };
  'generate-recurring-orders': Record<string, never>;
  /** One try of a notification outbox row; the sweep picks up any whose wake-up was lost. */
  'deliver-notification': { outboxId: string };
  'notification-sweep': Record<string, never>;
  /** An accepted emergency still not on site when its arrival SLA runs out. */
  'arrival-sla': { orderId: string };
}

export type PlatformJobName = keyof PlatformJobMap;

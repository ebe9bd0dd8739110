/** Every delayed or scheduled job of the platform, by name → payload (STYLE: one typed registry). */
export interface PlatformJobMap {
  'escalate-alert': { alertId: string; level: number };
  'check-bed-return': { residentId: string; exitEventId: string };
  'inactivity-sweep': Record<string, never>;
  'offer-timeout': { orderId: string; caregiverId: string; attempt: number };
  'generate-recurring-orders': Record<string, never>;
}

export type PlatformJobName = keyof PlatformJobMap;

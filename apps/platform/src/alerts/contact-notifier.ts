import type { AlertView, EmergencyContact } from '@anxin/contract';
import type { Logger } from 'pino';

/** Tells a resident's emergency contacts about an escalated alert (SMS comes later behind the same interface). */
export interface ContactNotifier {
  notify(alert: AlertView, contacts: EmergencyContact[], level: number): Promise<void>;
}

export class LoggingNotifier implements ContactNotifier {
  constructor(private readonly log: Logger) {}
  async notify(alert: AlertView, contacts: EmergencyContact[], level: number): Promise<void> {
    this.log.warn(
      { alertId: alert.id, kind: alert.kind, escalationLevel: level, contacts: contacts.map((c) => c.name) },
      'alert escalated: notifying emergency contacts',
    );
  }
}

export class WebhookNotifier implements ContactNotifier {
  constructor(
    private readonly url: string,
    private readonly fallback: ContactNotifier,
    private readonly log: Logger,
  ) {}
  async notify(alert: AlertView, contacts: EmergencyContact[], level: number): Promise<void> {
    await this.fallback.notify(alert, contacts, level);
    try {
      const res = await fetch(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ type: 'alert.escalated', escalationLevel: level, alert, contacts }),
        signal: AbortSignal.timeout(5000),
      });
      if (!res.ok) this.log.warn({ status: res.status, alertId: alert.id }, 'notification webhook refused');
    } catch (error) {
      this.log.warn({ err: error, alertId: alert.id }, 'notification webhook failed');
    }
  }
}

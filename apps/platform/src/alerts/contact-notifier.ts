import { createHmac } from 'node:crypto';

/** The header a receiver checks: `sha256=<hex HMAC-SHA256 of the raw body under ANXIN_NOTIFY_WEBHOOK_SECRET>`. */
export const SIGNATURE_HEADER = 'X-Anxin-Signature';

export function signBody(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;
}

export type WebhookResult = { ok: true } | { ok: false; error: string };

/**
 * One POST of a notification to the gateway (SMS, voice, WeChat) behind ANXIN_NOTIFY_WEBHOOK_URL;
 * docs/NOTIFICATIONS.md describes the payload and the signature. Any 2xx counts as delivered.
 */
export async function postWebhook(
  url: string,
  secret: string | null,
  delivery: { id: string; attempt: number },
  body: string,
  timeoutMs = 10_000,
): Promise<WebhookResult> {
  const headers: Record<string, string> = {
    'content-type': 'application/json; charset=utf-8',
    'X-Anxin-Delivery': delivery.id,
    'X-Anxin-Attempt': String(delivery.attempt),
  };
  if (secret) headers[SIGNATURE_HEADER] = signBody(secret, body);
  try {
    const res = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(timeoutMs) });
    await res.arrayBuffer().catch(() => undefined);
    return res.ok ? { ok: true } : { ok: false, error: `HTTP ${res.status}` };
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    return { ok: false, error: cause ?? (error instanceof Error ? error.message : String(error)) };
  }
}

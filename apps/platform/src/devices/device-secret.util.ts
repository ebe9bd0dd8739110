import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** 256 random bits; shown once at provisioning or rotation. */
export function generateDeviceSecret(): string {
  return randomBytes(32).toString('base64url');
}

// A random machine secret cannot be guessed, so a slow hash buys nothing and would
// make a reconnect storm of thousands of devices CPU-bound; a keyed HMAC is enough.
export function hashDeviceSecret(pepper: Buffer, secret: string): string {
  return createHmac('sha256', pepper).update(secret, 'utf8').digest('base64');
}

export function deviceSecretMatches(pepper: Buffer, secret: string, storedHash: string): boolean {
  const actual = Buffer.from(hashDeviceSecret(pepper, secret), 'base64');
  const expected = Buffer.from(storedHash, 'base64');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

import { loadConfig } from '../config/config';
import { AppError } from '../errors/app.errors';
import { PasswordService } from './password.service';

describe('PasswordService', () => {
  it('hashes one at a time, lets a few wait, and refuses the rest at once with rate_limited', async () => {
    const passwords = new PasswordService(
      loadConfig({ ANXIN_PASSWORD_HASH_CONCURRENCY: '1', ANXIN_PASSWORD_HASH_QUEUE: '2' }),
    );
    const stored = await passwords.hash('correct horse');
    const results = await Promise.allSettled(
      Array.from({ length: 6 }, (_, i) => passwords.verify(i === 0 ? 'correct horse' : 'wrong', stored)),
    );
    expect(results.map((r) => r.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'fulfilled',
      'rejected',
      'rejected',
      'rejected',
    ]);
    expect(results.slice(0, 3).map((r) => (r as PromiseFulfilledResult<boolean>).value)).toEqual([true, false, false]);
    const refusal = (results[3] as PromiseRejectedResult).reason as AppError;
    expect(refusal).toBeInstanceOf(AppError);
    expect(refusal.code).toBe('rate_limited');
    expect(refusal.message).toMatch(/busy checking other passwords/);
    // The queue drained: a later call is served again.
    await expect(passwords.verify('correct horse', stored)).resolves.toBe(true);
  }, 30_000);
});

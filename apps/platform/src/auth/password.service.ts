import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { AppError } from '../errors/app.errors';
import { hashPassword, verifyPassword } from './password.util';

/**
 * Bounds password hashing (issue 12 item 7). scrypt already runs on libuv's
 * thread pool, off the event loop, but each hash is ~32 MiB and a core's work:
 * unbounded, a login flood takes every core and thread from ingest. So only
 * `passwordHashConcurrency` run at once, a few more wait, and the rest are
 * refused at once with a 429 instead of queueing without end.
 */
@Injectable()
export class PasswordService {
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  private readonly concurrency: number;
  private readonly maxWaiting: number;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.concurrency = config.auth.passwordHashConcurrency;
    this.maxWaiting = config.auth.passwordHashQueue;
  }

  hash(password: string): Promise<string> {
    return this.run(() => hashPassword(password));
  }

  verify(password: string, stored: string): Promise<boolean> {
    return this.run(() => verifyPassword(password, stored));
  }

  /** Throws `rate_limited` at once when the queue is full. */
  private async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.running < this.concurrency) {
      this.running += 1;
    } else {
      if (this.waiting.length >= this.maxWaiting) {
        throw new AppError('rate_limited', 'the server is busy checking other passwords; try again in a few seconds');
      }
      // The slot is handed over by the finishing hash, so `running` stays as it was.
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running -= 1;
    }
  }
}

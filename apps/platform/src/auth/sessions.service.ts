import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import { ChannelListener } from '../database/channel-listener';
import { DATABASE_URL } from '../database/database-url';
import { LOGGER } from '../logging/logger';
import { USER_CHANGED_CHANNEL } from '../users/user-changes';
import { UsersService } from '../users/users.service';

export type SessionUser = NonNullable<Awaited<ReturnType<UsersService['findActiveWithUnitPath']>>>;

/** How long a socket action may trust a cached user row; NOTIFY normally invalidates it far sooner. */
const CACHE_TTL_MS = 5_000;
const CACHE_MAX_ENTRIES = 10_000;
/** Re-reads when a change notice arrived during the read (the row read may predate that change). */
const MAX_READS = 5;

/**
 * Who may still act, per process: the user rows behind tokens, and the news
 * that a user's tokens were revoked (issue 12 items 5, 9). Revocations arrive
 * from every process through PostgreSQL NOTIFY on `anxin_user_changed`; the
 * realtime layer closes the user's sockets on hearing one.
 */
@Injectable()
export class SessionsService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly cache = new Map<string, { user: SessionUser | null; at: number }>();
  /** Bumped by every notice and listener loss; a read that saw it change is not trusted. */
  private generation = 0;
  private listener: ChannelListener | null = null;
  private readonly revokedListeners: ((userId: string) => void)[] = [];
  private readonly resyncListeners: (() => void)[] = [];

  constructor(
    @Inject(DATABASE_URL) private readonly databaseUrl: string,
    @Inject(LOGGER) private readonly log: Logger,
    private readonly users: UsersService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const listener = new ChannelListener(
      this.databaseUrl,
      [USER_CHANGED_CHANNEL],
      {
        notified: (userId) => {
          this.forget(userId);
          for (const fn of this.revokedListeners) fn(userId);
        },
        // Notices are missed from here until `resumed`: nothing cached is trusted meanwhile.
        lost: () => this.forgetAll(),
        resumed: () => {
          this.forgetAll();
          for (const fn of this.resyncListeners) fn();
        },
      },
      this.log,
    );
    await listener.start();
    this.listener = listener;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.listener?.stop();
    this.listener = null;
  }

  /** A user's tokens were revoked (any process); its sockets here must close. */
  onRevoked(fn: (userId: string) => void): void {
    this.revokedListeners.push(fn);
  }

  /** Notices may have been missed (the listener was down): every open session must be checked again. */
  onResync(fn: () => void): void {
    this.resyncListeners.push(fn);
  }

  /** The active user with its unit path and token version; `cached` lets socket actions skip the database. */
  async findActiveUser(userId: string, cached: boolean): Promise<SessionUser | null> {
    const hit = this.cache.get(userId);
    if (cached && hit && this.listener?.listening && Date.now() - hit.at < CACHE_TTL_MS) return hit.user;
    let user: SessionUser | null = null;
    for (let read = 0; read < MAX_READS; read++) {
      const generation = this.generation;
      user = await this.users.findActiveWithUnitPath(userId);
      if (generation !== this.generation) continue;
      if (this.listener?.listening) {
        if (this.cache.size >= CACHE_MAX_ENTRIES) this.cache.clear();
        this.cache.set(userId, { user, at: Date.now() });
      }
      break;
    }
    return user;
  }

  /** Called by this process right after its own revocation commits, ahead of the notice. */
  forget(userId: string): void {
    this.generation += 1;
    this.cache.delete(userId);
  }

  private forgetAll(): void {
    this.generation += 1;
    this.cache.clear();
  }
}

import { Client } from 'pg';
import type { Logger } from 'pino';

export interface ChannelHandlers {
  /** A notice arrived on one of the channels (sent by a committed transaction). */
  notified(payload: string, channel: string): void;
  /** The connection was lost: notices sent from now until `resumed` are missed. */
  lost(): void;
  /** LISTEN is in place again after a loss; whatever changed meanwhile must be re-read. */
  resumed(): void;
}

const RELISTEN_FIRST_DELAY_MS = 250;
const RELISTEN_MAX_DELAY_MS = 10_000;

/**
 * One dedicated connection LISTENing on PostgreSQL NOTIFY channels, so every
 * process sharing the database hears a change at once. A lost connection is
 * re-established with exponential backoff, forever; `lost`/`resumed` tell the
 * owner to stop trusting what it cached meanwhile. `prepare` runs on every
 * (re)connect after the LISTENs, for session state the connection must hold
 * (a session lock: deployment-guard.ts); if it throws, that attempt fails.
 */
export class ChannelListener {
  private client: Client | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(
    private readonly databaseUrl: string,
    private readonly channels: string[],
    private readonly handlers: ChannelHandlers,
    private readonly log: Logger,
    private readonly prepare: (client: Client) => Promise<void> = async () => undefined,
  ) {}

  /** The first LISTEN; rejects if the database cannot be reached (start-up fails). */
  async start(): Promise<void> {
    await this.listen();
  }

  get listening(): boolean {
    return this.client !== null;
  }

  private async listen(): Promise<void> {
    const client = new Client({ connectionString: this.databaseUrl });
    client.on('error', (error) => this.onLost(client, error));
    client.on('end', () => this.onLost(client, null));
    client.on('notification', (message) => {
      if (this.channels.includes(message.channel) && message.payload) {
        this.handlers.notified(message.payload, message.channel);
      }
    });
    try {
      await client.connect();
      for (const channel of this.channels) await client.query(`LISTEN ${channel}`);
      await this.prepare(client);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    if (this.stopped) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
  }

  private onLost(client: Client, error: Error | null): void {
    if (this.stopped || this.client !== client) return; // a failed attempt, or the second of 'error' + 'end'
    this.client = null;
    void client.end().catch(() => undefined);
    this.log.warn(
      { err: error?.message, channels: this.channels },
      'change listener lost its connection; re-listening',
    );
    this.handlers.lost();
    this.retry(RELISTEN_FIRST_DELAY_MS);
  }

  private retry(delayMs: number): void {
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (this.stopped) return;
      this.listen().then(
        () => {
          this.log.info({ channels: this.channels }, 'change listener re-established');
          this.handlers.resumed();
        },
        () => this.retry(Math.min(delayMs * 2, RELISTEN_MAX_DELAY_MS)),
      );
    }, delayMs);
    this.retryTimer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    await this.client?.end().catch(() => undefined);
    this.client = null;
  }
}

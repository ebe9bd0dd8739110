import type { Server as HttpServer } from 'node:http';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import { Server } from 'socket.io';
import { CAREGIVER_NAMESPACE, CONSOLE_NAMESPACE } from '@anxin/contract';
import { DispatchService } from '../dispatch/dispatch.service';
import { type CaregiverNamespace, setUpCaregiver } from './caregiver.gateway';
import { AlertsService } from '../alerts/alerts.service';
import { AuthService } from '../auth/auth.service';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { DATABASE_LANES, type DatabaseLanes } from '../database/database-lanes';
import { DATABASE_URL } from '../database/database-url';
import { LOGGER } from '../logging/logger';
import { RepeatedLog } from '../logging/repeated-log';
import { RedisService } from '../redis/redis.service';
import { type ConsoleNamespace, setUpConsole } from './console.gateway';
import { UnitRooms } from './unit-rooms';

/**
 * socket.io on the platform's HTTP server (CONTRACT §4). With REDIS_URL the
 * Redis adapter fans events out to consoles connected to any process.
 */
@Injectable()
export class RealtimeService implements OnApplicationBootstrap, OnApplicationShutdown {
  io: Server | null = null;
  readonly rooms: UnitRooms;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly repeated: RepeatedLog,
    private readonly auth: AuthService,
    private readonly alerts: AlertsService,
    private readonly dispatch: DispatchService,
    private readonly redis: RedisService,
    @Inject(DATABASE_LANES) lanes: DatabaseLanes,
    @Inject(DATABASE_URL) private readonly databaseUrl: string,
    @Inject(LOGGER) private readonly log: Logger,
  ) {
    // An alarm's fan-out must not wait for the main pool (issue 13): the rarely missed, cached unit lookup
    // runs on the life-safety lane.
    this.rooms = new UnitRooms(lanes.lifeSafety);
  }

  async attach(httpServer: HttpServer): Promise<Server> {
    // destroyUpgrade off: MQTT over WebSocket at /mqtt shares this HTTP server.
    const io = new Server(httpServer, {
      path: '/socket.io',
      destroyUpgrade: false,
      serveClient: false,
      pingInterval: 10_000,
      pingTimeout: 10_000,
    });
    if (this.redis.url) {
      const { createAdapter } = await import('@socket.io/redis-adapter');
      // RedisService's connections handle errors and reconnect (and resubscribe); RedisService closes them.
      const pub = this.redis.connect('socket.io fan-out (publish)');
      const sub = this.redis.connect('socket.io fan-out (subscribe)');
      io.adapter(createAdapter(pub, sub, { key: `${this.config.queue.prefix}#socket.io` }));
    }
    // Nothing is served on the default namespace: refuse it rather than hold idle, unauthenticated sockets.
    io.of('/').use((_socket, next) => next(new Error('connect to /console or /caregiver with a token')));
    setUpConsole(io.of(CONSOLE_NAMESPACE) as ConsoleNamespace, {
      auth: this.auth,
      alerts: this.alerts,
      dispatch: this.dispatch,
      rooms: this.rooms,
      log: this.repeated,
    });
    setUpCaregiver(io.of(CAREGIVER_NAMESPACE) as CaregiverNamespace, {
      auth: this.auth,
      dispatch: this.dispatch,
      log: this.repeated,
    });
    this.io = io;
    return io;
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.rooms.start(this.databaseUrl, this.log);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.rooms.stop();
    const io = this.io;
    if (io) await new Promise<void>((resolve) => void io.close(() => resolve()));
    this.io = null;
  }
}

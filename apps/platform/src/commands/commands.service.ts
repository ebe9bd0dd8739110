import { EventEmitter } from 'node:events';
import { Inject, Injectable } from '@nestjs/common';
import type { CommandMessage } from '@anxin/contract';
import { AuditService } from '../audit/audit.service';
import type { Principal } from '../auth/principal';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { DevicesService } from '../devices/devices.service';
import { StatementBatcher } from '../database/statement-batcher';
import { AppError } from '../errors/app.errors';
import { type DeviceCommandRow, CommandsRepository } from './commands.repository';

/** Tells the broker a command is ready for a device (the broker is a layer above us). */
export class CommandSignals extends EventEmitter<{ queued: [deviceId: string, command: CommandMessage] }> {}

export function toCommandMessage(row: DeviceCommandRow): CommandMessage {
  return { commandId: row.id, name: row.name, params: row.params, ts: row.createdAt.getTime() };
}

/** Commands to devices: pending → acknowledged (command_ack) → or expired. */
@Injectable()
export class CommandsService {
  readonly signals = new CommandSignals();
  private readonly pendingLookup: StatementBatcher<string, CommandMessage[]>;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly commands: CommandsRepository,
    private readonly devices: DevicesService,
    private readonly audit: AuditService,
  ) {
    this.pendingLookup = new StatementBatcher(
      async (deviceIds) => {
        const rows = await this.commands.listPending([...new Set(deviceIds)]);
        return deviceIds.map((id) => rows.filter((r) => r.deviceId === id).map(toCommandMessage));
      },
      { maxWaitMs: 0, maxBatch: 500 },
    );
  }

  async send(
    principal: Principal,
    deviceId: string,
    name: string,
    params: Record<string, unknown>,
  ): Promise<DeviceCommandRow> {
    const device = await this.devices.requireInScope(principal.scope, deviceId);
    if (!device.enabled) throw new AppError('conflict', 'device is disabled');
    const row = await this.commands.insert(
      deviceId,
      name,
      params,
      principal.userId,
      this.config.ingest.commandTtlSeconds,
    );
    await this.audit.record({
      actor: principal,
      action: 'device.command',
      subjectType: 'device',
      subjectId: deviceId,
      orgUnitId: device.orgUnitId,
      detail: { commandId: row.id, name },
    });
    this.signals.emit('queued', deviceId, toCommandMessage(row));
    return row;
  }

  async list(principal: Principal, deviceId: string): Promise<DeviceCommandRow[]> {
    await this.devices.requireInScope(principal.scope, deviceId);
    return this.commands.listForDevice(deviceId, 100);
  }

  /** Batched: a reconnect storm asks once for all devices that subscribed meanwhile. */
  pendingFor(deviceId: string): Promise<CommandMessage[]> {
    return this.pendingLookup.add(deviceId);
  }

  async acknowledge(deviceId: string, commandId: string, result: unknown): Promise<void> {
    await this.commands.acknowledge(deviceId, commandId, result);
  }
}

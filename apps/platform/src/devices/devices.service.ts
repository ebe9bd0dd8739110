import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { z } from 'zod';
import type { createDeviceSchema, updateDeviceSchema } from '@anxin/contract';
import { AuditService } from '../audit/audit.service';
import type { Principal } from '../auth/principal';
import { AppError, isUniqueViolation, notFound } from '../errors/app.errors';
import type { OrgScope } from '../org-units/org-scope';
import { ResidentsService } from '../residents/residents.service';
import { PlatformSecretsService } from '../secrets/platform-secrets.service';
import type { DeviceEntity } from './device.entity';
import { notifyDeviceChanged } from './device-changes';
import { generateDeviceSecret, hashDeviceSecret } from './device-secret.util';
import { type DeviceView, toDeviceView } from './device.view';
import { type DeviceListFilter, DevicesRepository } from './devices.repository';
import { type ImportResult, loadSheet } from '../http/spreadsheet';
import { DEVICE_COLUMNS, DEVICE_REQUIRED, validateDeviceRows } from './device-import';

@Injectable()
export class DevicesService {
  constructor(
    private readonly db: DataSource,
    private readonly devices: DevicesRepository,
    private readonly residents: ResidentsService,
    private readonly secrets: PlatformSecretsService,
    private readonly audit: AuditService,
  ) {}

  async requireInScope(scope: OrgScope, id: string): Promise<DeviceEntity> {
    const device = await this.devices.findInScope(scope, id);
    if (!device) throw notFound(`device ${id}`);
    return device;
  }

  async get(principal: Principal, id: string): Promise<DeviceView> {
    return toDeviceView(await this.requireInScope(principal.scope, id));
  }

  async list(principal: Principal, filter: DeviceListFilter): Promise<[DeviceView[], number]> {
    const [devices, total] = await this.devices.listInScope(principal.scope, filter);
    return [devices.map(toDeviceView), total];
  }

  async create(
    principal: Principal,
    input: z.infer<typeof createDeviceSchema>,
  ): Promise<DeviceView & { secret: string }> {
    const resident = await this.residents.requireLiveInScope(principal.scope, input.residentId);
    const secret = generateDeviceSecret();
    const secretHash = hashDeviceSecret(await this.secrets.requireKey('device_secret_pepper'), secret);
    try {
      const device = await this.db.transaction(async (manager) => {
        const created = await this.devices.insert(
          {
            type: input.type,
            residentId: resident.id,
            orgUnitId: resident.orgUnitId,
            serial: input.serial ?? null,
            heartbeatIntervalSeconds: input.heartbeatIntervalSeconds ?? null,
            secretHash,
          },
          manager,
        );
        await this.audit.record(
          {
            actor: principal,
            action: 'device.create',
            subjectType: 'device',
            subjectId: created.id,
            orgUnitId: created.orgUnitId,
            detail: { type: created.type, residentId: created.residentId },
          },
          manager,
        );
        return created;
      });
      return { ...toDeviceView(device), secret };
    } catch (error) {
      if (isUniqueViolation(error)) throw new AppError('conflict', `serial: a ${input.type} with this serial exists`);
      throw error;
    }
  }

  /**
   * Bulk provisioning from a sheet (issue 16): every row checked first, then all devices created in one
   * transaction or none. The answer carries each new device's secret — the only time it is shown.
   */
  async importDevices(
    principal: Principal,
    file: Buffer,
    kind: 'xlsx' | 'csv',
    dryRun: boolean,
  ): Promise<ImportResult & { devices: (DeviceView & { secret: string; row: number })[] }> {
    const sheet = await loadSheet(file, kind, DEVICE_REQUIRED);
    const serials = sheet.rows.map((r) => r.cells[DEVICE_COLUMNS.serial] ?? '').filter(Boolean);
    const [residents, taken] = await Promise.all([
      this.residents.refsInScope(principal.scope),
      this.devices.takenSerials(serials),
    ]);
    const { inputs, errors } = validateDeviceRows(sheet.rows, residents, taken);
    errors.unshift(...sheet.errors);
    const result = { dryRun, rows: sheet.rows.length, imported: 0, errors, devices: [] };
    if (dryRun || errors.length > 0 || inputs.length === 0) return result;
    const pepper = await this.secrets.requireKey('device_secret_pepper');
    const byId = new Map(residents.map((r) => [r.id, r]));
    const devices = await this.db.transaction(async (manager) => {
      const created: (DeviceView & { secret: string; row: number })[] = [];
      for (const input of inputs) {
        const secret = generateDeviceSecret();
        const device = await this.devices.insert(
          {
            type: input.type,
            residentId: input.residentId,
            orgUnitId: byId.get(input.residentId)!.orgUnitId,
            serial: input.serial ?? null,
            heartbeatIntervalSeconds: input.heartbeatIntervalSeconds ?? null,
            secretHash: hashDeviceSecret(pepper, secret),
          },
          manager,
        );
        created.push({ ...toDeviceView(device), secret, row: input.row });
      }
      await this.audit.record(
        { actor: principal, action: 'device.import', subjectType: 'device', detail: { count: created.length } },
        manager,
      );
      return created;
    });
    return { ...result, imported: devices.length, devices };
  }

  async update(principal: Principal, id: string, input: z.infer<typeof updateDeviceSchema>): Promise<DeviceView> {
    const device = await this.requireInScope(principal.scope, id);
    // A device of an erased resident stays off: it would collect the person's vitals and whereabouts again.
    if (input.enabled === true && input.residentId === undefined)
      await this.residents.requireLiveInScope(principal.scope, device.residentId, 'enabled');
    const changes: Partial<DeviceEntity> = {};
    if (input.enabled !== undefined) changes.enabled = input.enabled;
    if (input.serial !== undefined) changes.serial = input.serial;
    if (input.heartbeatIntervalSeconds !== undefined) changes.heartbeatIntervalSeconds = input.heartbeatIntervalSeconds;
    if (input.residentId !== undefined) {
      const resident = await this.residents.requireLiveInScope(principal.scope, input.residentId);
      changes.residentId = resident.id;
      changes.orgUnitId = resident.orgUnitId;
    }
    return this.mutate(principal, id, changes, input.enabled === false ? 'device.disable' : 'device.update', {
      changed: Object.keys(input),
    });
  }

  /** Issues a new secret; the old one stops working at once (the broker re-checks on connect). */
  async rotateSecret(principal: Principal, id: string): Promise<DeviceView & { secret: string }> {
    await this.requireInScope(principal.scope, id);
    const secret = generateDeviceSecret();
    const secretHash = hashDeviceSecret(await this.secrets.requireKey('device_secret_pepper'), secret);
    const view = await this.mutate(principal, id, { secretHash }, 'device.rotate_secret', {});
    return { ...view, secret };
  }

  private async mutate(
    principal: Principal,
    id: string,
    changes: Partial<DeviceEntity>,
    action: string,
    detail: Record<string, unknown>,
  ): Promise<DeviceView> {
    try {
      return await this.db.transaction(async (manager) => {
        const device = await this.devices.update(id, changes, manager);
        // Connected sessions of a disabled or re-keyed device are dropped at once, on every process.
        await notifyDeviceChanged(manager, id);
        await this.audit.record(
          { actor: principal, action, subjectType: 'device', subjectId: id, orgUnitId: device.orgUnitId, detail },
          manager,
        );
        return toDeviceView(device);
      });
    } catch (error) {
      if (isUniqueViolation(error))
        throw new AppError('conflict', `serial: a device of this type with this serial exists`);
      throw error;
    }
  }
}

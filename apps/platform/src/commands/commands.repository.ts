import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

export interface DeviceCommandRow {
  id: string;
  deviceId: string;
  name: string;
  params: Record<string, unknown>;
  status: 'pending' | 'acknowledged' | 'expired';
  createdAt: Date;
  expiresAt: Date;
  acknowledgedAt: Date | null;
  result: unknown;
}

const COLUMNS = `id, device_id AS "deviceId", name, params, status, created_at AS "createdAt", expires_at AS "expiresAt",
  acknowledged_at AS "acknowledgedAt", result`;

@Injectable()
export class CommandsRepository {
  constructor(private readonly db: DataSource) {}

  async insert(deviceId: string, name: string, params: Record<string, unknown>, createdBy: string, ttlSeconds: number) {
    const rows = await this.db.query<DeviceCommandRow[]>(
      `INSERT INTO device_commands (device_id, name, params, created_by, expires_at)
       VALUES ($1, $2, $3, $4, now() + make_interval(secs => $5)) RETURNING ${COLUMNS}`,
      [deviceId, name, params, createdBy, ttlSeconds],
    );
    return rows[0]!;
  }

  async listForDevice(deviceId: string, limit: number): Promise<DeviceCommandRow[]> {
    await this.expireDue();
    return await this.db.query<DeviceCommandRow[]>(
      `SELECT ${COLUMNS} FROM device_commands WHERE device_id = $1 ORDER BY created_at DESC LIMIT $2`,
      [deviceId, limit],
    );
  }

  /** Unexpired pending commands of many devices in one query, oldest first. */
  async listPending(deviceIds: string[]): Promise<DeviceCommandRow[]> {
    return await this.db.query<DeviceCommandRow[]>(
      `SELECT ${COLUMNS} FROM device_commands
       WHERE device_id = ANY($1::uuid[]) AND status = 'pending' AND expires_at > now()
       ORDER BY created_at`,
      [deviceIds],
    );
  }

  async acknowledge(deviceId: string, commandId: string, result: unknown): Promise<boolean> {
    const [, count] = await this.db.query<[unknown, number]>(
      `UPDATE device_commands SET status = 'acknowledged', acknowledged_at = now(), result = $3
       WHERE device_id = $1 AND id::text = $2 AND status = 'pending'`,
      [deviceId, commandId, JSON.stringify(result ?? null)],
    );
    return count > 0;
  }

  async expireDue(): Promise<void> {
    await this.db.query(
      `UPDATE device_commands SET status = 'expired' WHERE status = 'pending' AND expires_at <= now()`,
    );
  }
}

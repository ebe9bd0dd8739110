import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/**
 * Server-side keys (JWT signing, device-secret pepper) generated once and kept in
 * the database, so every platform process sharing it agrees without extra config.
 */
@Injectable()
export class PlatformSecretsService {
  private readonly cache = new Map<string, Buffer>();

  constructor(private readonly db: DataSource) {}

  async requireKey(name: 'jwt' | 'device_secret_pepper'): Promise<Buffer> {
    const cached = this.cache.get(name);
    if (cached) return cached;
    // Two processes starting together: ON CONFLICT keeps the first key for both.
    await this.db.query(`INSERT INTO platform_secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING`, [
      name,
      randomBytes(32).toString('base64'),
    ]);
    const rows = await this.db.query<{ value: string }[]>(`SELECT value FROM platform_secrets WHERE name = $1`, [name]);
    const key = Buffer.from(rows[0]!.value, 'base64');
    this.cache.set(name, key);
    return key;
  }
}

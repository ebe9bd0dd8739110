import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Sessions1763901412000 implements MigrationInterface {
  name = 'Sessions1763901412000';

  async up(q: QueryRunner): Promise<void> {
    // Issue 12 items 5 and 9: every token carries the version it was issued at; bumping it (logout, password,
    // role or disabled changed) refuses every earlier token at once, on every process.
    await q.query(`ALTER TABLE users ADD COLUMN token_version integer NOT NULL DEFAULT 0`);
    // Issue 12 items 6 and 8: failed logins per (username, address), and per address alone (username ''),
    // counted under a per-address lock so a burst cannot race past the limit; blocked_until is a progressive
    // delay, never a lockout of the user for every address.
    await q.query(`
      CREATE TABLE login_throttle (
        username       text NOT NULL,
        address        text NOT NULL,
        failures       integer NOT NULL,
        blocked_until  timestamptz,
        last_failure_at timestamptz NOT NULL,
        PRIMARY KEY (address, username)
      )`);
    await q.query(`CREATE INDEX login_throttle_last_failure_idx ON login_throttle (last_failure_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE login_throttle`);
    await q.query(`ALTER TABLE users DROP COLUMN token_version`);
  }
}

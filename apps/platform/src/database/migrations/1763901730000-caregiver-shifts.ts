import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CaregiverShifts1763901730000 implements MigrationInterface {
  name = 'CaregiverShifts1763901730000';

  async up(q: QueryRunner): Promise<void> {
    // Issue 16: a caregiver's shift hours, local HH:MM in the platform's zone (a shift may cross midnight);
    // no shift = any time. Weekdays 1 = Monday … 7 = Sunday, the day a shift starts; none listed = every day.
    await q.query(`ALTER TABLE users
      ADD COLUMN shift_start text CONSTRAINT users_shift_start_check CHECK (shift_start ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$'),
      ADD COLUMN shift_end text CONSTRAINT users_shift_end_check CHECK (shift_end ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$'),
      ADD COLUMN shift_weekdays smallint[] NOT NULL DEFAULT '{}',
      ADD CONSTRAINT users_shift_pair_check CHECK ((shift_start IS NULL) = (shift_end IS NULL))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE users DROP COLUMN shift_start, DROP COLUMN shift_end, DROP COLUMN shift_weekdays`);
  }
}

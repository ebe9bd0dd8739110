import type { MigrationInterface, QueryRunner } from 'typeorm';

export class ResidentArchive1763901600000 implements MigrationInterface {
  name = 'ResidentArchive1763901600000';

  async up(q: QueryRunner): Promise<void> {
    // Issue 16: the resident archive. The ID number is kept encrypted with a key outside the database
    // (personal-data-key.ts), so a dump alone does not reveal it; the masked form is what most users see.
    await q.query(`ALTER TABLE residents
      ADD COLUMN gender text CONSTRAINT residents_gender_check CHECK (gender IN ('male', 'female')),
      ADD COLUMN id_card_cipher text,
      ADD COLUMN id_card_masked text,
      ADD COLUMN benefit_categories text[] NOT NULL DEFAULT '{}',
      ADD COLUMN medications text,
      ADD COLUMN allergies text,
      ADD COLUMN gp text,
      ADD COLUMN key_holder text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE residents
      DROP COLUMN gender, DROP COLUMN id_card_cipher, DROP COLUMN id_card_masked, DROP COLUMN benefit_categories,
      DROP COLUMN medications, DROP COLUMN allergies, DROP COLUMN gp, DROP COLUMN key_holder`);
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Skill labels typed as free text before v1.1, mapped to the fixed skill codes. */
const SKILL_LABELS: Record<string, string> = {
  助餐: 'meal',
  助洁: 'cleaning',
  保洁: 'cleaning',
  助浴: 'bathing',
  助行: 'mobility',
  助医: 'medical',
  医疗: 'medical',
  助急: 'emergency',
  紧急救助: 'emergency',
  急救: 'emergency',
  维修: 'maintenance',
};
const CODES = ['meal', 'cleaning', 'bathing', 'mobility', 'medical', 'emergency', 'maintenance'];

/**
 * Issue 11 §2: broadcast offers (everyone a wave waits on), the skills an order needs,
 * the arrival SLA flag, the caregiver's outcome, and the durable notification outbox.
 */
export class DispatchSafety1763901100000 implements MigrationInterface {
  name = 'DispatchSafety1763901100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE service_orders
      ADD COLUMN offered_to_all uuid[] NOT NULL DEFAULT '{}',
      ADD COLUMN required_skills text[] NOT NULL DEFAULT '{}',
      ADD COLUMN arrival_overdue_at timestamptz,
      ADD COLUMN outcome text`);
    await q.query(
      `UPDATE service_orders SET offered_to_all = ARRAY[offered_to] WHERE status = 'offered' AND offered_to IS NOT NULL`,
    );
    await q.query(
      `CREATE INDEX service_orders_offered_all_idx ON service_orders USING gin (offered_to_all) WHERE status = 'offered'`,
    );
    await q.query(
      `CREATE INDEX service_orders_alert_idx ON service_orders (alert_id, created_at DESC) WHERE alert_id IS NOT NULL`,
    );

    // Known labels become codes; anything else never matched an order kind and is dropped.
    const labels = Object.entries(SKILL_LABELS);
    await q.query(
      `UPDATE users u SET skills = coalesce((
         SELECT array_agg(DISTINCT code) FROM (
           SELECT coalesce(m.code, lower(trim(s))) AS code
           FROM unnest(u.skills) AS s LEFT JOIN unnest($1::text[], $2::text[]) AS m(label, code) ON m.label = trim(s)
         ) mapped WHERE code = ANY($3::text[])), '{}')
       WHERE cardinality(u.skills) > 0`,
      [labels.map(([l]) => l), labels.map(([, c]) => c), CODES],
    );

    await q.query(`
      CREATE TABLE notification_outbox (
        id bigserial PRIMARY KEY,
        alert_id uuid NOT NULL REFERENCES alerts(id) ON DELETE CASCADE,
        org_unit_id uuid,
        escalation_level integer NOT NULL,
        payload jsonb NOT NULL,
        status text NOT NULL DEFAULT 'pending' CONSTRAINT notification_outbox_status_check
          CHECK (status IN ('pending', 'sent', 'failed')),
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        last_error text,
        created_at timestamptz NOT NULL DEFAULT now(),
        sent_at timestamptz,
        CONSTRAINT notification_outbox_alert_level_key UNIQUE (alert_id, escalation_level)
      )`);
    await q.query(
      `CREATE INDEX notification_outbox_due_idx ON notification_outbox (next_attempt_at) WHERE status = 'pending'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE notification_outbox`);
    await q.query(`DROP INDEX service_orders_alert_idx`);
    await q.query(`DROP INDEX service_orders_offered_all_idx`);
    await q.query(`ALTER TABLE service_orders
      DROP COLUMN offered_to_all, DROP COLUMN required_skills, DROP COLUMN arrival_overdue_at, DROP COLUMN outcome`);
  }
}

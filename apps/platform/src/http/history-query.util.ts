import { z } from 'zod';
import { pageQuerySchema } from '@anxin/contract';

const isoTime = z.iso
  .datetime({ offset: true })
  .transform((d) => new Date(d))
  .optional();

/**
 * The history filters of list calls (CONTRACT §3 v1.1): an org unit and everything under it (within the
 * caller's scope), a time window `[from, to)`, and `page`/`pageSize` beside the older `limit`/`offset`.
 */
export const historyQuerySchema = pageQuerySchema
  .extend({
    orgUnitId: z.uuid().optional(),
    from: isoTime,
    to: isoTime,
    page: z.coerce.number().int().min(1).optional(),
    pageSize: z.coerce.number().int().min(1).max(500).optional(),
  })
  .refine((q) => !q.from || !q.to || q.from < q.to, { message: 'from must be before to', path: ['from'] })
  .transform(({ page, pageSize, ...q }) =>
    page || pageSize ? { ...q, limit: pageSize ?? q.limit, offset: ((page ?? 1) - 1) * (pageSize ?? q.limit) } : q,
  );

/** SQL: `column` (an org_unit_id) is the unit `$n` or under it; `params` receives the id. */
export function inUnitSubtree(column: string, orgUnitId: string, params: unknown[]): string {
  params.push(orgUnitId);
  return `${column} IN (SELECT id FROM org_units WHERE path LIKE (SELECT path FROM org_units WHERE id = $${params.length}) || '%')`;
}

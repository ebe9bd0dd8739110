import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';

/**
 * What a caller may see: everything (admin) or one org unit and everything under it.
 * Repositories take a scope on every read and write so a controller cannot forget it.
 */
export type OrgScope = { kind: 'all' } | { kind: 'subtree'; path: string };

export const ALL_UNITS: OrgScope = { kind: 'all' };

/** Restricts `column` (an org_unit_id) to the scope. */
export function applyOrgScope<T extends ObjectLiteral>(
  qb: SelectQueryBuilder<T>,
  column: string,
  scope: OrgScope,
): SelectQueryBuilder<T> {
  if (scope.kind === 'all') return qb;
  return qb.andWhere(`${column} IN (SELECT id FROM org_units WHERE path LIKE :scopePathPrefix)`, {
    scopePathPrefix: `${scope.path}%`,
  });
}

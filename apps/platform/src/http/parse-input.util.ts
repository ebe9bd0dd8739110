import { z } from 'zod';
import { AppError } from '../errors/app.errors';

/** Validates a body or query against its contract schema; a 400 names the first bad field. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, where = 'body'): z.infer<S> {
  if (value === undefined || value === null) {
    throw new AppError('invalid_input', `${where}: expected a JSON object`);
  }
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  if (!issue) throw new AppError('invalid_input', `${where}: invalid`);
  let field = issue.path.length > 0 ? issue.path.join('.') : where;
  let message = issue.message;
  if (issue.code === 'unrecognized_keys') {
    field = [...issue.path, ...issue.keys].join('.');
    message = 'unknown field';
  }
  throw new AppError('invalid_input', `${field}: ${message}`);
}

/** A query value like `?status=open,acknowledged`: comma-separated members of a closed list. */
export function commaList<T extends readonly [string, ...string[]]>(values: T) {
  return z
    .string()
    .transform((s) => s.split(',').filter(Boolean))
    .pipe(z.array(z.enum(values)));
}

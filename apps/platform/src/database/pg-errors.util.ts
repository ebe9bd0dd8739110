/**
 * PostgreSQL refused the data itself (SQLSTATE class 22 data exception, 23
 * integrity violation, 54 program limit), as opposed to a lost connection or
 * an overloaded server: retrying the same row can never succeed.
 */
export function isDataError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^(22|23|54)[0-9A-Z]{3}$/.test(code);
}

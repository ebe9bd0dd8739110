/** Column arrays for an `unnest($1::…[], $2::…[], …)` statement, in `keys` order. */
export function columnsOf<T>(rows: T[], keys: (keyof T)[]): unknown[][] {
  return keys.map((key) => rows.map((row) => row[key]));
}

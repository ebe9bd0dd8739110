/**
 * Registers `fn` with jest's `afterAll` when running under jest; outside it (e.g. the bench reusing test
 * helpers) the caller cleans up itself. Goes through globalThis so non-jest builds need no jest types.
 */
export function afterAllIfJest(fn: () => Promise<void>): void {
  const hook = (globalThis as { afterAll?: (fn: () => Promise<void>, timeout?: number) => void }).afterAll;
  if (typeof hook === 'function') hook(fn);
}

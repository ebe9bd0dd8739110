// A plain-JavaScript acceptance check compiled from a strict zod object schema,
// for the per-message hot path (issue 13: zod's parse of every reading was the
// largest piece of validation cost). It answers only "zod would accept this
// object exactly as it is" (true) or "ask zod" (false): every rejection, with
// its CONTRACT §2 reason and detail, still comes from zod itself.
import type { z } from 'zod';

/** True only when the schema's own parse would succeed and return an equal object. */
export type CompiledCheck = (value: Record<string, unknown>) => boolean;

type ValueCheck = (value: unknown) => boolean;

interface FieldCheck {
  key: string;
  /** Absent (undefined) is allowed: `.optional()`. */
  optional: boolean;
  check: ValueCheck;
}

/** The parts of zod's internal definitions read here (zod v4 `schema._zod.def`). */
interface Def {
  type: string;
  checks?: { _zod: { def: CheckDef } }[];
  /** Set on schemas that are checks themselves (`z.int()` is a number with a `number_format` check). */
  check?: string;
  format?: string;
  coerce?: boolean;
  innerType?: z.ZodType;
  shape?: Record<string, z.ZodType>;
  catchall?: z.ZodType;
  values?: unknown[];
}

interface CheckDef {
  check: string;
  value?: unknown;
  inclusive?: boolean;
}

const defOf = (schema: z.ZodType): Def => (schema as unknown as { _zod: { def: Def } })._zod.def;

const compiled = new WeakMap<z.ZodType, CompiledCheck | null>();

/**
 * The compiled check of a strict object schema, built once per schema; null
 * when the schema uses anything not understood here (strings, records,
 * refinements, defaults, transforms, a non-strict object): zod alone checks it.
 */
export function compiledCheckOf(schema: z.ZodType): CompiledCheck | null {
  let check = compiled.get(schema);
  if (check === undefined) {
    check = compileObject(schema);
    compiled.set(schema, check);
  }
  return check;
}

function compileObject(schema: z.ZodType): CompiledCheck | null {
  const def = defOf(schema);
  // Strict only: a non-strict object strips unknown keys, so its output would differ from the input.
  if (def.type !== 'object' || !def.shape || !def.catchall || defOf(def.catchall).type !== 'never') return null;
  if (def.checks?.length) return null;
  const fields: FieldCheck[] = [];
  for (const [key, field] of Object.entries(def.shape)) {
    // `value[key]` below must never read an inherited member (`constructor`, `__proto__`, …).
    if (key in Object.prototype) return null;
    const fieldDef = defOf(field);
    const optional = fieldDef.type === 'optional';
    if (optional && fieldDef.checks?.length) return null;
    const check = compileValue(optional ? fieldDef.innerType : field);
    if (!check) return null;
    fields.push({ key, optional, check });
  }
  return (value) => {
    let present = 0;
    for (const field of fields) {
      const item = value[field.key];
      if (item === undefined) {
        if (!field.optional) return false;
        continue;
      }
      if (!field.check(item)) return false;
      present += 1;
    }
    // Strict: any key the schema does not name (an own `__proto__` included) is zod's to reject.
    let keys = 0;
    for (const _ in value) keys += 1;
    return keys === present;
  };
}

function compileValue(schema: z.ZodType | undefined): ValueCheck | null {
  if (!schema) return null;
  const def = defOf(schema);
  if (def.coerce) return null;
  switch (def.type) {
    case 'number':
      return compileNumber(def);
    case 'boolean':
      return def.checks?.length || def.check ? null : (v) => typeof v === 'boolean';
    case 'literal': {
      const values = def.values ?? [];
      if (def.checks?.length || def.check || !values.every((v) => v === null || typeof v !== 'object')) return null;
      return (v) => values.includes(v);
    }
    case 'nullable': {
      const inner = def.checks?.length ? null : compileValue(def.innerType);
      return inner && ((v) => v === null || inner(v));
    }
    default:
      return null;
  }
}

function compileNumber(def: Def): ValueCheck | null {
  let integer = false;
  if (def.check !== undefined) {
    // z.int(): zod's "safeint" format is exactly Number.isSafeInteger.
    if (def.check !== 'number_format' || def.format !== 'safeint') return null;
    integer = true;
  }
  let min = -Infinity;
  let minInclusive = true;
  let max = Infinity;
  let maxInclusive = true;
  for (const c of def.checks ?? []) {
    const { check, value, inclusive } = c._zod.def;
    if (typeof value !== 'number' || typeof inclusive !== 'boolean') return null;
    if (check === 'greater_than' && (value > min || (value === min && !inclusive))) {
      min = value;
      minInclusive = inclusive;
    } else if (check === 'less_than' && (value < max || (value === max && !inclusive))) {
      max = value;
      maxInclusive = inclusive;
    } else if (check !== 'greater_than' && check !== 'less_than') {
      return null;
    }
  }
  return (v) =>
    typeof v === 'number' &&
    // zod's number refuses NaN and ±Infinity (JSON.parse turns 1e400 into Infinity).
    Number.isFinite(v) &&
    (!integer || Number.isSafeInteger(v)) &&
    (minInclusive ? v >= min : v > min) &&
    (maxInclusive ? v <= max : v < max);
}

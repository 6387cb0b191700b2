/**
 * Reading Stripe's form-encoded parameters after `qs` has expanded the bracket nesting
 * (`metadata[orderId]=1` → `{ metadata: { orderId: '1' } }`, `a[0]=x` and `a[]=x` → `['x']`).
 * Stripe treats an empty string as "unset", so every reader here does too.
 */
import { invalidRequest, missingParam } from './errors';
import type { Metadata } from './types';

export type FormValue = string | FormValue[] | FormObject;
export interface FormObject {
  [key: string]: FormValue;
}

function isFormObject(value: unknown): value is FormObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The parsed body or query as a FormObject; anything else (no body, JSON array…) is `{}`. */
export function asFormObject(value: unknown): FormObject {
  return isFormObject(value) ? value : {};
}

function describe(value: FormValue): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function present(params: FormObject, name: string): FormValue | undefined {
  const value = params[name];
  return value === undefined || value === '' ? undefined : value;
}

/** Stripe's `Received unknown parameter` check, plus a clear error for real params we don't model. */
export function rejectUnknownParams(
  params: FormObject,
  known: ReadonlySet<string>,
  unsupported: ReadonlySet<string> = new Set(),
  prefix = '',
): void {
  for (const name of Object.keys(params)) {
    const param = prefix ? `${prefix}[${name}]` : name;
    if (unsupported.has(name)) {
      throw invalidRequest(
        `The MicroTick Stripe emulator does not model the parameter '${param}'. Use real Stripe (STRIPE_SECRET_KEY) to exercise it.`,
        { param, code: 'parameter_unknown' },
      );
    }
    if (!known.has(name)) {
      throw invalidRequest(`Received unknown parameter: ${param}`, { param, code: 'parameter_unknown' });
    }
  }
}

export function optionalString(params: FormObject, name: string, param = name): string | undefined {
  const value = present(params, name);
  if (value === undefined) return undefined;
  if (typeof value !== 'string') {
    throw invalidRequest(`Invalid string: ${describe(value)}`, { param, code: 'parameter_invalid_string' });
  }
  return value;
}

export function requiredString(params: FormObject, name: string, param = name): string {
  const value = optionalString(params, name, param);
  if (value === undefined) throw missingParam(param);
  return value;
}

export function optionalInteger(params: FormObject, name: string, param = name): number | undefined {
  const value = present(params, name);
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(Number(value))) {
    throw invalidRequest(`Invalid integer: ${describe(value)}`, { param, code: 'parameter_invalid_integer' });
  }
  return Number(value);
}

export function requiredInteger(params: FormObject, name: string, param = name): number {
  const value = optionalInteger(params, name, param);
  if (value === undefined) throw missingParam(param);
  return value;
}

export function optionalBoolean(params: FormObject, name: string, param = name): boolean | undefined {
  const value = present(params, name);
  if (value === undefined) return undefined;
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw invalidRequest(`Invalid boolean: ${describe(value)}`, { param });
}

export function optionalObject(params: FormObject, name: string, param = name): FormObject | undefined {
  const value = present(params, name);
  if (value === undefined) return undefined;
  if (!isFormObject(value)) {
    throw invalidRequest(`Invalid object`, { param });
  }
  return value;
}

/** `a[0]=x`, `a[]=x` (qs gives an array) or an indexed object for sparse/large indices. */
export function optionalStringArray(params: FormObject, name: string, param = name): string[] | undefined {
  const value = present(params, name);
  if (value === undefined) return undefined;
  const items = Array.isArray(value) ? value : isFormObject(value) ? Object.values(value) : undefined;
  if (items === undefined) throw invalidRequest('Invalid array', { param });
  return items.map((item, index) => {
    if (typeof item !== 'string') {
      throw invalidRequest(`Invalid string: ${describe(item)}`, { param: `${param}[${index}]` });
    }
    return item;
  });
}

/**
 * Stripe's metadata rules: ≤ 50 keys, keys ≤ 40 characters, string values ≤ 500 characters;
 * an empty value unsets the key. (qs turns purely numeric keys such as `metadata[0]` into an
 * array; those are mapped back to their positions, which is exact unless the indices are sparse.)
 */
export function optionalMetadata(params: FormObject, name = 'metadata'): Metadata | undefined {
  const value = params[name];
  if (value === undefined) return undefined;
  if (value === '') return {};
  if (typeof value === 'string') throw invalidRequest('Invalid object', { param: name });
  const entries: [string, FormValue][] = Array.isArray(value)
    ? value.map((item, index) => [String(index), item])
    : Object.entries(value);
  if (entries.length > 50) {
    throw invalidRequest('You can specify up to 50 keys in metadata.', { param: name });
  }
  const metadata: Metadata = {};
  for (const [key, item] of entries) {
    const param = `${name}[${key}]`;
    if (typeof item !== 'string') {
      throw invalidRequest(`Invalid value type: ${describe(item)} must be a string`, { param });
    }
    if (key.length > 40) {
      throw invalidRequest('Metadata keys can have up to 40 characters.', { param });
    }
    if (item.length > 500) {
      throw invalidRequest('Metadata values can have up to 500 characters.', { param });
    }
    if (item !== '') metadata[key] = item;
  }
  return metadata;
}

/**
 * The two patch kinds the overlays use, with kustomize's semantics for the fields we patch:
 * strategic merge (maps merge, lists with a merge key merge item by item, other lists are
 * replaced, `null` deletes) and the RFC 6902 operations add/replace/remove.
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** patchMergeKey of the Kubernetes lists our patches touch (from the API's field tags). */
const MERGE_KEYS: Record<string, string> = {
  containers: 'name',
  initContainers: 'name',
  env: 'name',
  volumes: 'name',
  volumeMounts: 'mountPath',
  imagePullSecrets: 'name',
};

/** Lists whose merge key depends on the owner: container ports merge by containerPort, Service ports by port. */
const mergeKeyOf = (field: string, items: Json[]): string | undefined => {
  if (field === 'ports') return items.some((item) => isObject(item) && 'containerPort' in item) ? 'containerPort' : 'port';
  return MERGE_KEYS[field];
};

export function strategicMerge(target: JsonObject, patch: JsonObject): JsonObject {
  const result: JsonObject = { ...target };
  for (const [key, patchValue] of Object.entries(patch)) {
    if (key.startsWith('$')) throw new Error(`strategic-merge directive ${key} is not supported by this renderer`);
    const current = result[key];
    if (patchValue === null) delete result[key];
    else if (isObject(patchValue) && isObject(current)) result[key] = strategicMerge(current, patchValue);
    else if (Array.isArray(patchValue) && Array.isArray(current)) result[key] = mergeList(key, current, patchValue);
    else result[key] = patchValue;
  }
  return result;
}

function mergeList(field: string, current: Json[], patch: Json[]): Json[] {
  const mergeKey = mergeKeyOf(field, [...current, ...patch]);
  if (!mergeKey) return patch;
  const merged = [...current];
  const added: Json[] = [];
  for (const item of patch) {
    if (!isObject(item)) throw new Error(`${field}: expected objects keyed by ${mergeKey}`);
    const index = merged.findIndex((existing) => isObject(existing) && existing[mergeKey] === item[mergeKey]);
    const existing = merged[index];
    if (index >= 0 && isObject(existing)) merged[index] = strategicMerge(existing, item);
    else added.push(item);
  }
  // kustomize puts items the patch adds before the existing ones (which matters for env, where
  // `$(VAR)` only sees variables defined earlier).
  return [...added, ...merged];
}

export interface JsonPatchOperation {
  op: 'add' | 'replace' | 'remove';
  path: string;
  value?: Json;
}

export function applyJsonPatch(target: JsonObject, operations: JsonPatchOperation[]): JsonObject {
  const result = structuredClone(target);
  for (const { op, path, value } of operations) {
    const tokens = path.split('/').slice(1).map((token) => token.replace(/~1/g, '/').replace(/~0/g, '~'));
    const last = tokens.pop();
    if (last === undefined) throw new Error(`JSON patch path "${path}" must point below the root`);
    let parent: Json = result;
    for (const token of tokens) {
      const next: Json | undefined = Array.isArray(parent) ? parent[Number(token)] : isObject(parent) ? parent[token] : undefined;
      if (next === undefined) throw new Error(`JSON patch ${op} ${path}: ${token} does not exist`);
      parent = next;
    }
    if (Array.isArray(parent)) {
      const index = last === '-' ? parent.length : Number(last);
      if (op === 'remove') parent.splice(index, 1);
      else if (op === 'add') parent.splice(index, 0, value ?? null);
      else parent[index] = value ?? null;
    } else if (isObject(parent)) {
      if (op !== 'add' && !(last in parent)) throw new Error(`JSON patch ${op} ${path}: nothing there`);
      if (op === 'remove') delete parent[last];
      else parent[last] = value ?? null;
    } else {
      throw new Error(`JSON patch ${op} ${path}: parent is not a container`);
    }
  }
  return result;
}

import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { applyJsonPatch, isObject, strategicMerge, type JsonObject, type JsonPatchOperation } from './merge';

/**
 * Renders a kustomization the way `kubectl kustomize` does, for the features our overlays use:
 * `resources` (files and directories), `patches` (strategic merge by kind and name, or RFC 6902
 * with a `target`), `secretGenerator` with literals and fixed names, `images` (new name or tag). A kustomization using
 * anything else is rejected, so nothing is silently left out of what the tests check.
 * (manifests.test.ts compares the output with real kustomize when kubectl is installed.)
 */

export interface Manifest extends JsonObject {
  apiVersion: string;
  kind: string;
  metadata: JsonObject & { name: string };
}

const SUPPORTED = new Set(['apiVersion', 'kind', 'resources', 'patches', 'secretGenerator', 'generatorOptions', 'images']);

interface Kustomization {
  resources?: string[];
  patches?: { path: string; target?: { kind: string; name: string } }[];
  secretGenerator?: { name: string; literals: string[] }[];
  generatorOptions?: { disableNameSuffixHash?: boolean; labels?: Record<string, string> };
  images?: { name: string; newName?: string; newTag?: string }[];
}

export function renderKustomization(dir: string): Manifest[] {
  const file = path.join(dir, 'kustomization.yaml');
  const raw: unknown = parse(readFileSync(file, 'utf8'));
  if (!isObject(raw)) throw new Error(`${file}: not a mapping`);
  const unsupported = Object.keys(raw).filter((key) => !SUPPORTED.has(key));
  if (unsupported.length) throw new Error(`${file} uses ${unsupported.join(', ')}, which this renderer does not implement`);
  const kustomization = raw as Kustomization;

  let manifests = (kustomization.resources ?? []).flatMap((entry) => {
    const resource = path.resolve(dir, entry);
    return statSync(resource).isDirectory() ? renderKustomization(resource) : readManifests(resource);
  });
  manifests.push(...generateSecrets(file, kustomization));
  for (const patch of kustomization.patches ?? []) manifests = applyPatchFile(manifests, path.resolve(dir, patch.path), patch.target);
  for (const image of kustomization.images ?? []) manifests = manifests.map((manifest) => setImage(manifest, image));

  const seen = new Set<string>();
  for (const manifest of manifests) {
    const id = manifestId(manifest);
    if (seen.has(id)) throw new Error(`${file}: ${id} is defined twice`);
    seen.add(id);
  }
  return manifests;
}

export const manifestId = (manifest: Manifest): string => `${manifest.kind}/${manifest.metadata.name}`;

export function readManifests(file: string): Manifest[] {
  return parseAllDocuments(readFileSync(file, 'utf8'))
    .map((document) => document.toJS() as unknown)
    .filter((value) => value !== null)
    .map((value) => {
      if (!isManifest(value)) throw new Error(`${file}: a document without apiVersion, kind and metadata.name`);
      return value;
    });
}

const isManifest = (value: unknown): value is Manifest =>
  isObject(value) &&
  typeof value.apiVersion === 'string' &&
  typeof value.kind === 'string' &&
  isObject(value.metadata) &&
  typeof value.metadata.name === 'string';

function generateSecrets(file: string, { secretGenerator = [], generatorOptions = {} }: Kustomization): Manifest[] {
  if (secretGenerator.length && generatorOptions.disableNameSuffixHash !== true) {
    throw new Error(`${file}: generated names with a hash suffix are not implemented; set generatorOptions.disableNameSuffixHash`);
  }
  return secretGenerator.map(({ name, literals, ...rest }) => {
    if (Object.keys(rest).length) throw new Error(`${file}: secretGenerator ${name} uses ${Object.keys(rest).join(', ')}`);
    const data: JsonObject = {};
    for (const literal of literals) {
      const separator = literal.indexOf('=');
      data[literal.slice(0, separator)] = Buffer.from(literal.slice(separator + 1)).toString('base64');
    }
    const metadata: Manifest['metadata'] = { name };
    if (generatorOptions.labels) metadata.labels = { ...generatorOptions.labels };
    return { apiVersion: 'v1', kind: 'Secret', metadata, type: 'Opaque', data };
  });
}

function applyPatchFile(manifests: Manifest[], file: string, target?: { kind: string; name: string }): Manifest[] {
  const documents = parseAllDocuments(readFileSync(file, 'utf8')).map((document) => document.toJS() as unknown);
  const [first] = documents;
  if (Array.isArray(first)) {
    if (!target) throw new Error(`${file}: a JSON 6902 patch needs a target`);
    const name = new RegExp(`^(?:${target.name})$`);
    const matches = (manifest: Manifest) => manifest.kind === target.kind && name.test(manifest.metadata.name);
    if (!manifests.some(matches)) throw new Error(`${file}: no ${target.kind} named ${target.name}`);
    return manifests.map((manifest) => (matches(manifest) ? (applyJsonPatch(manifest, first as JsonPatchOperation[]) as Manifest) : manifest));
  }
  if (target) throw new Error(`${file}: strategic-merge patches with a target are not implemented`);
  let result = manifests;
  for (const patch of documents) {
    if (!isManifest(patch)) throw new Error(`${file}: a strategic-merge patch needs apiVersion, kind and metadata.name`);
    const index = result.findIndex((manifest) => manifestId(manifest) === manifestId(patch) && manifest.apiVersion === patch.apiVersion);
    const original = result[index];
    if (!original) throw new Error(`${file}: nothing to patch for ${manifestId(patch)}`);
    result = result.map((manifest, i) => (i === index ? (strategicMerge(original, patch) as Manifest) : manifest));
  }
  return result;
}

/** kustomize's `images:` (name → newName and/or newTag) on the containers of pod templates. */
function setImage(manifest: Manifest, { name, newName, newTag }: NonNullable<Kustomization['images']>[number]): Manifest {
  const result = structuredClone(manifest);
  const spec = isObject(result.spec) && isObject(result.spec.template) && isObject(result.spec.template.spec) ? result.spec.template.spec : undefined;
  for (const list of [spec?.containers, spec?.initContainers]) {
    for (const container of Array.isArray(list) ? list : []) {
      if (!isObject(container) || typeof container.image !== 'string') continue;
      const [, repository = '', tag] = /^(.*?)(?::([^:/]+))?$/.exec(container.image) ?? [];
      if (repository === name) container.image = `${newName ?? repository}${newTag ?? tag ? `:${newTag ?? tag}` : ''}`;
    }
  }
  return result;
}

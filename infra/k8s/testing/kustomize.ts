import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { applyJsonPatch, isObject, strategicMerge, type JsonObject, type JsonPatchOperation } from './merge';

/**
 * Renders a kustomization the way `kubectl kustomize` does, for the features our overlays use:
 * `resources` (files and directories), `components` (kind Component: its resources, generators
 * and patches apply to everything accumulated before it), `patches` (strategic merge by kind and
 * name, or on every object a `target` selects by kind, name pattern and label selector; RFC 6902
 * with a `target`), `secretGenerator` with literals and `configMapGenerator` with files, both with
 * fixed names, and `images` (new name or tag). A kustomization using anything else is rejected, so
 * nothing is silently left out of what the tests check. (schema.test.ts compares the output with
 * real kustomize when kubectl is installed.)
 */

export interface Manifest extends JsonObject {
  apiVersion: string;
  kind: string;
  metadata: JsonObject & { name: string };
}

const SUPPORTED = new Set(['apiVersion', 'kind', 'resources', 'components', 'patches', 'secretGenerator', 'configMapGenerator', 'generatorOptions', 'images']);

export interface PatchTarget {
  kind?: string;
  name?: string;
  labelSelector?: string;
}

interface GeneratorOptions {
  disableNameSuffixHash?: boolean;
  labels?: Record<string, string>;
}

interface Kustomization {
  kind?: string;
  resources?: string[];
  components?: string[];
  patches?: { path: string; target?: PatchTarget }[];
  secretGenerator?: { name: string; literals: string[]; options?: GeneratorOptions }[];
  configMapGenerator?: { name: string; files: string[]; options?: GeneratorOptions }[];
  generatorOptions?: GeneratorOptions;
  images?: { name: string; newName?: string; newTag?: string }[];
}

export function renderKustomization(dir: string): Manifest[] {
  return accumulate(dir, [], 'Kustomization');
}

/** kustomize's order: resources, then each component on what came before, then own generators, then own patches. */
function accumulate(dir: string, before: Manifest[], kind: 'Kustomization' | 'Component'): Manifest[] {
  const file = path.join(dir, 'kustomization.yaml');
  const kustomization = readKustomization(file, kind);

  let manifests = [
    ...before,
    ...(kustomization.resources ?? []).flatMap((entry) => {
      const resource = path.resolve(dir, entry);
      return statSync(resource).isDirectory() ? renderKustomization(resource) : readManifests(resource);
    }),
  ];
  for (const component of kustomization.components ?? []) manifests = accumulate(path.resolve(dir, component), manifests, 'Component');
  manifests.push(...generateSecrets(file, kustomization), ...generateConfigMaps(dir, file, kustomization));
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

function readKustomization(file: string, kind: 'Kustomization' | 'Component'): Kustomization {
  const raw: unknown = parse(readFileSync(file, 'utf8'));
  if (!isObject(raw)) throw new Error(`${file}: not a mapping`);
  const unsupported = Object.keys(raw).filter((key) => !SUPPORTED.has(key));
  if (unsupported.length) throw new Error(`${file} uses ${unsupported.join(', ')}, which this renderer does not implement`);
  const declared = (raw.kind as string | undefined) ?? 'Kustomization';
  if (declared !== kind) throw new Error(`${file}: a ${declared} used as a ${kind}`);
  return raw as Kustomization;
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

function generatedMetadata(file: string, name: string, shared: GeneratorOptions, own: GeneratorOptions = {}): Manifest['metadata'] {
  if ((own.disableNameSuffixHash ?? shared.disableNameSuffixHash) !== true) {
    throw new Error(`${file}: generated names with a hash suffix are not implemented; set disableNameSuffixHash`);
  }
  const labels = { ...shared.labels, ...own.labels };
  const metadata: Manifest['metadata'] = { name };
  if (Object.keys(labels).length) metadata.labels = labels;
  return metadata;
}

function generateSecrets(file: string, { secretGenerator = [], generatorOptions = {} }: Kustomization): Manifest[] {
  return secretGenerator.map(({ name, literals, options, ...rest }) => {
    if (Object.keys(rest).length) throw new Error(`${file}: secretGenerator ${name} uses ${Object.keys(rest).join(', ')}`);
    const data: JsonObject = {};
    for (const literal of literals) {
      const separator = literal.indexOf('=');
      data[literal.slice(0, separator)] = Buffer.from(literal.slice(separator + 1)).toString('base64');
    }
    return { apiVersion: 'v1', kind: 'Secret', metadata: generatedMetadata(file, name, generatorOptions, options), type: 'Opaque', data };
  });
}

function generateConfigMaps(dir: string, file: string, { configMapGenerator = [], generatorOptions = {} }: Kustomization): Manifest[] {
  return configMapGenerator.map(({ name, files, options, ...rest }) => {
    if (Object.keys(rest).length) throw new Error(`${file}: configMapGenerator ${name} uses ${Object.keys(rest).join(', ')}`);
    const data: JsonObject = {};
    for (const entry of files) data[path.basename(entry)] = readFileSync(path.resolve(dir, entry), 'utf8');
    return { apiVersion: 'v1', kind: 'ConfigMap', metadata: generatedMetadata(file, name, generatorOptions, options), data };
  });
}

/** kustomize's target selection: kind, a name pattern (anchored), and equality-based label selectors. */
function selects(target: PatchTarget, manifest: Manifest): boolean {
  if (target.kind && manifest.kind !== target.kind) return false;
  if (target.name && !new RegExp(`^(?:${target.name})$`).test(manifest.metadata.name)) return false;
  const labels = isObject(manifest.metadata.labels) ? manifest.metadata.labels : {};
  for (const requirement of (target.labelSelector ?? '').split(',').map((part) => part.trim()).filter(Boolean)) {
    const [key = '', value] = requirement.split('=');
    if (value === undefined) throw new Error(`label selector "${requirement}": only key=value is implemented`);
    if (labels[key.trim()] !== value.trim()) return false;
  }
  return true;
}

function applyPatchFile(manifests: Manifest[], file: string, target?: PatchTarget): Manifest[] {
  const documents = parseAllDocuments(readFileSync(file, 'utf8')).map((document) => document.toJS() as unknown);
  const [first] = documents;
  if (target) {
    const unknown = Object.keys(target).filter((key) => !['kind', 'name', 'labelSelector'].includes(key));
    if (unknown.length) throw new Error(`${file}: patch target fields ${unknown.join(', ')} are not implemented`);
    if (!manifests.some((manifest) => selects(target, manifest))) throw new Error(`${file}: the target ${JSON.stringify(target)} selects nothing`);
    if (documents.length !== 1) throw new Error(`${file}: a targeted patch holds exactly one document`);
    const patch = Array.isArray(first)
      ? (manifest: Manifest) => applyJsonPatch(manifest, first as JsonPatchOperation[]) as Manifest
      : (manifest: Manifest) => {
          if (!isObject(first)) throw new Error(`${file}: not a patch`);
          // kustomize applies a targeted strategic-merge patch under each target's own name.
          const { metadata, ...body } = first;
          const { name: _ignored, ...restOfMetadata } = isObject(metadata) ? metadata : {};
          return strategicMerge(manifest, { ...body, ...(Object.keys(restOfMetadata).length ? { metadata: restOfMetadata } : {}) }) as Manifest;
        };
    return manifests.map((manifest) => (selects(target, manifest) ? patch(manifest) : manifest));
  }
  if (Array.isArray(first)) throw new Error(`${file}: a JSON 6902 patch needs a target`);
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

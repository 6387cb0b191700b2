import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { instructions, parseDockerfile, runCommands, stage, type Dockerfile } from './testing/dockerfile';
import { filesMatching } from './testing/glob';
import { isObject } from './testing/merge';
import { APP_DEPLOYMENTS, render, repoRoot, type Overlay } from './testing/overlays';
import { workloads } from './testing/workloads';

/**
 * skaffold.yaml, checked without skaffold: the fields we use against an allow-list of the
 * skaffold/v4beta schema (so a typo fails here, not on a developer's machine), and every artifact
 * against its Dockerfile and the Deployments that run it.
 */

type Spec = 'scalar' | 'map' | { [field: string]: Spec } | [Spec];
const ARTIFACT: Spec = {
  image: 'scalar',
  context: 'scalar',
  docker: { dockerfile: 'scalar', target: 'scalar', buildArgs: 'map' },
  sync: { manual: [{ src: 'scalar', dest: 'scalar', strip: 'scalar' }] },
};
const BUILD: Spec = { local: { push: 'scalar', useBuildkit: 'scalar' }, artifacts: [ARTIFACT] };
const MANIFESTS: Spec = { kustomize: { paths: ['scalar'] } };
const SKAFFOLD_CONFIG: Spec = {
  apiVersion: 'scalar',
  kind: 'scalar',
  metadata: { name: 'scalar' },
  build: BUILD,
  manifests: MANIFESTS,
  deploy: { kubectl: { flags: { apply: ['scalar'] } } },
  profiles: [{ name: 'scalar', build: BUILD, manifests: MANIFESTS }],
};

function unknownFields(value: unknown, spec: Spec, at = ''): string[] {
  if (spec === 'scalar' || spec === 'map') return [];
  if (Array.isArray(spec)) return Array.isArray(value) ? value.flatMap((item, index) => unknownFields(item, spec[0], `${at}[${index}]`)) : [`${at}: expected a list`];
  if (!isObject(value)) return [`${at}: expected a mapping`];
  return Object.entries(value).flatMap(([key, child]) => {
    const childSpec = spec[key];
    return childSpec ? unknownFields(child, childSpec, `${at}.${key}`) : [`${at}.${key}: not a field skaffold knows here`];
  });
}

interface Artifact {
  image: string;
  context: string;
  docker: { dockerfile: string; target: string; buildArgs?: Record<string, string> };
  sync?: { manual: { src: string; dest: string }[] };
}
interface SkaffoldConfig {
  apiVersion: string;
  kind: string;
  build: { artifacts: Artifact[] };
  manifests: { kustomize: { paths: string[] } };
  deploy: { kubectl?: { flags?: { apply?: string[] } } };
  profiles: { name: string; build: { artifacts: Artifact[] }; manifests: { kustomize: { paths: string[] } } }[];
}

const raw: unknown = parse(readFileSync(path.join(repoRoot, 'skaffold.yaml'), 'utf8'));
const config = raw as SkaffoldConfig;
const prod = config.profiles.find((profile) => profile.name === 'prod');
const dockerfileOf = (artifact: Artifact): Dockerfile => parseDockerfile(readFileSync(path.join(repoRoot, artifact.context, artifact.docker.dockerfile), 'utf8'));
const declaredArgs = (dockerfile: Dockerfile) =>
  new Set([...Object.keys(dockerfile.globalArgs), ...dockerfile.stages.flatMap((s) => instructions(s, 'ARG').map((i) => i.args.split('=')[0]))]);

test('uses the skaffold/v4beta schema, with no field it does not define', () => {
  expect(config.apiVersion).toMatch(/^skaffold\/v4beta\d+$/);
  expect(config.kind).toBe('Config');
  expect(unknownFields(raw, SKAFFOLD_CONFIG)).toEqual([]);
});

test('the field check catches a misspelt field', () => {
  const broken = structuredClone(raw) as SkaffoldConfig;
  Object.assign(broken.build.artifacts[0] ?? {}, { imagee: 'x' });
  expect(unknownFields(broken, SKAFFOLD_CONFIG)).toEqual(['.build.artifacts[0].imagee: not a field skaffold knows here']);
});

test('deploys the dev overlay with kubectl; the prod profile deploys the prod overlay', () => {
  expect(config.manifests.kustomize.paths).toEqual(['infra/k8s/overlays/dev']);
  // --force: a Job (the stream's provisioning) is re-created when its image changes.
  expect(config.deploy.kubectl).toEqual({ flags: { apply: ['--force'] } });
  expect(prod?.manifests.kustomize.paths).toEqual(['infra/k8s/overlays/prod']);
});

describe.each([
  ['dev', config.build.artifacts, 'dev'],
  ['prod profile', prod?.build.artifacts ?? [], 'runtime'],
] as const)('%s artifacts', (_, artifacts, target) => {
  const overlay: Overlay = target === 'dev' ? 'dev' : 'prod';

  test.each(artifacts.map((a) => [a.image, a] as const))('%s: Dockerfile, stage and build args exist', (__, artifact) => {
    expect(artifact.context).toBe('.');
    expect(existsSync(path.join(repoRoot, artifact.docker.dockerfile))).toBe(true);
    const dockerfile = dockerfileOf(artifact);
    expect(artifact.docker.target).toBe(target);
    expect(dockerfile.stages.map((s) => s.name)).toContain(target);
    for (const arg of Object.keys(artifact.docker.buildArgs ?? {})) expect(declaredArgs(dockerfile)).toContain(arg);
    const service = artifact.docker.buildArgs?.['SERVICE'];
    if (service) expect(existsSync(path.join(repoRoot, service, 'package.json'))).toBe(true);
  });

  test('one artifact for every image the overlay runs from this repository, and a Deployment for every artifact', () => {
    const ourImages = workloads(render(overlay))
      .flatMap((w) => w.pod.containers.map((c) => c.image ?? ''))
      .filter((image) => image.startsWith('microtick/'));
    expect(artifacts.map((a) => a.image).sort()).toEqual([...new Set(ourImages)].sort());
    for (const name of APP_DEPLOYMENTS) expect(ourImages).toContain(`microtick/${name}`);
  });
});

describe.each(config.build.artifacts.map((a) => [a.image, a] as const))('%s sync', (_, artifact) => {
  const dockerfile = dockerfileOf(artifact);
  const build = stage(dockerfile, 'build');
  const dev = stage(dockerfile, 'dev');
  const service = artifact.docker.buildArgs?.['SERVICE'] ?? '';
  const copied = instructions(build, 'COPY')
    .map((i) => i.args.replace(/\$\{SERVICE\}/g, service).split(' '))
    .filter(([source, destination]) => source === destination && source?.endsWith('/'))
    .map(([source]) => source ?? '');
  const workdir = instructions(build, 'WORKDIR').at(-1)?.args;

  test.each((artifact.sync?.manual ?? []).map((rule) => [rule.src, rule] as const))('%s lands where the image has that file, writable', (src, rule) => {
    expect(filesMatching(repoRoot, src).length).toBeGreaterThan(0);
    // A synced file goes to dest/<its path in the repo>: the same place the build stage copied it to.
    expect(rule.dest).toBe(workdir);
    const folder = copied.find((prefix) => src.startsWith(prefix));
    expect(folder).toBeDefined();
    const chowned = runCommands(dev).find((command) => command.startsWith('chown'))?.replace(/\$\{SERVICE\}/g, service) ?? '';
    expect(chowned.split(' ').some((owned) => folder?.startsWith(`${owned}/`))).toBe(true);
  });

  test('the dev stage watches: its command recompiles or reloads', () => {
    expect(artifact.sync?.manual.length).toBeGreaterThan(0);
    expect(instructions(dev, 'CMD').at(-1)?.args).toMatch(/--watch|next", "dev/);
  });
});

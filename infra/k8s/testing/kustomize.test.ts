import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { renderKustomization, type Manifest } from './kustomize';
import { k8sRoot } from './overlays';
import { workloads } from './workloads';

const kubectlAvailable = spawnSync('kubectl', ['version', '--client'], { stdio: 'ignore' }).status === 0;

// What README tells a production user to do: `kustomize edit set image` adds an `images:` entry.
describe('an overlay pinning images', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'microtick-kustomize-'));
    cpSync(k8sRoot, path.join(dir, 'k8s'), { recursive: true });
    writeFileSync(
      path.join(dir, 'k8s/overlays/kustomization.yaml'),
      [
        'resources: [prod]',
        'images:',
        '  - name: microtick/orders',
        '    newName: registry.example.com/microtick/orders',
        '    newTag: "1.2.3"',
        '  - name: microtick/client',
        '    newTag: "1.2.3"',
      ].join('\n'),
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const imageOf = (manifests: Manifest[], name: string) => workloads(manifests).find((w) => w.name === name)?.pod.containers[0]?.image;

  test('renders with the new names and tags', () => {
    const manifests = renderKustomization(path.join(dir, 'k8s/overlays'));
    expect(imageOf(manifests, 'orders')).toBe('registry.example.com/microtick/orders:1.2.3');
    expect(imageOf(manifests, 'client')).toBe('microtick/client:1.2.3');
    expect(imageOf(manifests, 'auth')).toBe('microtick/auth');
  });

  (kubectlAvailable ? test : test.skip)('exactly as kubectl kustomize does (kubectl installed)', () => {
    const output = spawnSync('kubectl', ['kustomize', path.join(dir, 'k8s/overlays')], { encoding: 'utf8' });
    expect(output.stderr).toBe('');
    const expected = parseAllDocuments(output.stdout).map((document) => document.toJS() as Manifest);
    const byId = (list: Manifest[]) => Object.fromEntries(list.map((m) => [`${m.kind}/${m.metadata.name}`, m]));
    expect(byId(renderKustomization(path.join(dir, 'k8s/overlays')))).toEqual(byId(expected));
  });
});

// What the overlays use beyond plain resources, on a small tree (also where kubectl is missing).
describe('components, targeted patches and generators', () => {
  let dir: string;
  const write = (file: string, text: string) => {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), text);
  };
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'microtick-kustomize-small-'));
    const deployment = (name: string, component: string) =>
      `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${name}\n  labels: { app.kubernetes.io/component: ${component} }\nspec:\n  template:\n    spec:\n      containers:\n        - name: ${name}\n          image: x/${name}\n          env: [{ name: A, value: "1" }]\n`;
    write('app/a.yaml', deployment('a', 'service'));
    write('app/b.yaml', deployment('b', 'service'));
    write('app/c.yaml', deployment('c', 'database'));
    write('app/kustomization.yaml', 'resources: [a.yaml, b.yaml, c.yaml]\ncomponents: [../shared]\n');
    write('shared/kustomization.yaml', [
      'apiVersion: kustomize.config.k8s.io/v1alpha1',
      'kind: Component',
      'configMapGenerator:',
      '  - name: files',
      '    files: [conf.txt]',
      '    options: { disableNameSuffixHash: true, labels: { made: here } }',
      'patches:',
      '  - path: pod.yaml',
      '    target: { kind: Deployment, labelSelector: app.kubernetes.io/component=service }',
      '  - path: env.yaml',
      '    target: { kind: Deployment, name: "a|c" }',
    ].join('\n'));
    write('shared/conf.txt', 'hello\n');
    write('shared/pod.yaml', 'apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: ignored }\nspec:\n  template:\n    spec:\n      terminationGracePeriodSeconds: 40\n');
    write('shared/env.yaml', '- op: add\n  path: /spec/template/spec/containers/0/env/-\n  value: { name: B, value: "2" }\n');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('a component patches what its target selects, under each target\'s own name, and adds its generated objects', () => {
    const manifests = renderKustomization(path.join(dir, 'app'));
    const pod = (name: string) => workloads(manifests).find((w) => w.name === name)?.pod;
    expect([pod('a')?.terminationGracePeriodSeconds, pod('b')?.terminationGracePeriodSeconds, pod('c')?.terminationGracePeriodSeconds]).toEqual([40, 40, undefined]);
    expect(pod('a')?.containers[0]?.env).toEqual([{ name: 'A', value: '1' }, { name: 'B', value: '2' }]);
    expect(pod('b')?.containers[0]?.env).toEqual([{ name: 'A', value: '1' }]);
    expect(pod('c')?.containers[0]?.env).toEqual([{ name: 'A', value: '1' }, { name: 'B', value: '2' }]);
    expect(manifests.find((m) => m.kind === 'ConfigMap')).toEqual({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'files', labels: { made: 'here' } }, data: { 'conf.txt': 'hello\n' } });
    expect(manifests.some((m) => m.metadata.name === 'ignored')).toBe(false);
  });

  (kubectlAvailable ? test : test.skip)('exactly as kubectl kustomize does (kubectl installed)', () => {
    const output = spawnSync('kubectl', ['kustomize', path.join(dir, 'app')], { encoding: 'utf8' });
    expect(output.stderr).toBe('');
    const byId = (list: Manifest[]) => Object.fromEntries(list.map((m) => [`${m.kind}/${m.metadata.name}`, m]));
    expect(byId(renderKustomization(path.join(dir, 'app')))).toEqual(byId(parseAllDocuments(output.stdout).map((document) => document.toJS() as Manifest)));
  });

  test('a patch target that selects nothing is refused (kustomize would skip it silently: a renamed label would drop a patch)', () => {
    write('bad/kustomization.yaml', 'resources: [../app/a.yaml]\npatches:\n  - path: ../shared/pod.yaml\n    target: { kind: Deployment, labelSelector: app.kubernetes.io/component=nothing }\n');
    expect(() => renderKustomization(path.join(dir, 'bad'))).toThrow(/selects nothing/);
  });
});

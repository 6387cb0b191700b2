import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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

import { execFileSync, spawnSync } from 'node:child_process';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { parseAllDocuments } from 'yaml';
import type { Manifest } from './testing/kustomize';
import { manifestId } from './testing/kustomize';
import { manifestProblems, type IDeployment } from './testing/models';
import { OVERLAYS, overlayDir, render } from './testing/overlays';

describe.each(['base', ...OVERLAYS] as const)('%s', (overlay) => {
  test('every manifest validates against the Kubernetes schema, with no unknown field and no removed API version', () => {
    const manifests = render(overlay);
    expect(manifests.length).toBeGreaterThan(20);
    expect(manifests.flatMap(manifestProblems)).toEqual([]);
  });
});

describe('the manifest check itself', () => {
  const authDeployment = (): Manifest => {
    const found = render('dev').find((m) => manifestId(m) === 'Deployment/auth');
    if (!found) throw new Error('no auth Deployment');
    return structuredClone(found);
  };

  test('rejects a misspelt field, which the schema validation alone lets through', () => {
    const manifest = authDeployment();
    const deployment = manifest as unknown as IDeployment;
    const container = deployment.spec?.template.spec?.containers[0];
    Object.assign(container ?? {}, { imagee: 'microtick/auth' });
    Object.assign(deployment.spec ?? {}, { replica: 3 });

    expect(() => new Deployment(deployment).validate()).not.toThrow();
    expect(manifestProblems(manifest)).toEqual([
      'Deployment/auth: .spec.template.spec.containers[0].imagee: unknown field',
      'Deployment/auth: .spec.replica: unknown field',
    ]);
  });

  test('rejects wrong types through the schema', () => {
    const manifest = authDeployment();
    Object.assign((manifest as unknown as IDeployment).spec ?? {}, { replicas: 'two' });
    expect(manifestProblems(manifest)).toEqual([expect.stringMatching(/^Deployment\/auth: .*replicas/)]);
  });

  test.each(['extensions/v1beta1', 'apps/v1beta1', 'apps/v1beta2', 'networking.k8s.io/v1beta1', 'policy/v1beta1'])(
    'rejects the removed API version %s',
    (apiVersion) => {
      expect(manifestProblems({ ...authDeployment(), apiVersion })).toEqual([`Deployment/auth: ${apiVersion} was removed from Kubernetes`]);
    },
  );

  test('rejects kinds outside the allow-list and a kind under the wrong API version', () => {
    expect(manifestProblems({ ...authDeployment(), kind: 'DaemonSet' })).toEqual(['DaemonSet/auth: kind DaemonSet is not in the allow-list']);
    expect(manifestProblems({ ...authDeployment(), apiVersion: 'v1' })).toEqual(['Deployment/auth: use apps/v1, not v1']);
  });
});

const kubectlAvailable = spawnSync('kubectl', ['version', '--client'], { stdio: 'ignore' }).status === 0;
const byId = (manifests: Manifest[]) => Object.fromEntries(manifests.map((m) => [manifestId(m), m]));

// The renderer in testing/kustomize.ts is what every other check reads; where kubectl (with its
// built-in kustomize) is installed, prove it renders exactly what `kubectl apply -k` would apply.
(kubectlAvailable ? describe : describe.skip)('rendering matches `kubectl kustomize` (kubectl installed)', () => {
  test.each(['base', ...OVERLAYS] as const)('%s', (overlay) => {
    const output = execFileSync('kubectl', ['kustomize', overlayDir(overlay)], { encoding: 'utf8', timeout: 60_000 });
    const expected = parseAllDocuments(output).map((document) => document.toJS() as Manifest);
    expect(byId(render(overlay))).toEqual(byId(expected));
  });
});

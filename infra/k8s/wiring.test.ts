import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Manifest } from './testing/kustomize';
import { ofKind, type IGateway, type ISecret, type IService } from './testing/models';
import { APP_DEPLOYMENTS, OVERLAYS, render, repoRoot } from './testing/overlays';
import { containerEnvironment, containersOf, workloads, type Workload } from './testing/workloads';

const selects = (selector: Record<string, string>, workload: Workload) =>
  Object.entries(selector).every(([key, value]) => workload.labels[key] === value);

describe.each(OVERLAYS)('%s', (overlay) => {
  const manifests = render(overlay);
  const all = workloads(manifests);

  test.each(ofKind<IService>(manifests, 'Service').map((s) => [s.metadata?.name ?? '', s] as const))(
    'Service %s selects exactly one workload, on ports its containers expose',
    (_, service) => {
      const selected = all.filter((workload) => selects(service.spec?.selector ?? {}, workload));
      expect(selected).toHaveLength(1);
      const containerPorts = selected.flatMap(containersOf).flatMap((container) => container.ports ?? []);
      for (const port of service.spec?.ports ?? []) {
        expect(containerPorts.some((p) => p.name === port.targetPort || p.containerPort === port.targetPort)).toBe(true);
      }
    },
  );

  test('each StatefulSet is governed by a headless Service that selects it', () => {
    for (const set of all.filter((w) => w.kind === 'StatefulSet')) {
      const manifest = manifests.find((m) => m.kind === 'StatefulSet' && m.metadata.name === set.name) as Manifest & { spec: { serviceName: string } };
      const service = ofKind<IService>(manifests, 'Service').find((s) => s.metadata?.name === manifest.spec.serviceName);
      expect(service?.spec?.clusterIP).toBe('None');
      expect(selects(service?.spec?.selector ?? {}, set)).toBe(true);
    }
  });

  test('every `$(VAR)` in an env value refers to a variable defined before it', () => {
    for (const container of all.flatMap(containersOf)) expect(containerEnvironment(container, manifests).unexpanded).toEqual([]);
  });

  test('the expansion check catches a variable used before it is defined', () => {
    const container = { name: 'c', env: [{ name: 'URL', value: 'postgres://u:$(PASSWORD)@h/db' }, { name: 'PASSWORD', value: 'p' }] };
    expect(containerEnvironment(container, manifests).unexpanded).toEqual(['PASSWORD']);
  });

  test('third-party images are pinned to a version; our own images are microtick/<name>', () => {
    for (const workload of all) {
      for (const { image = '' } of containersOf(workload)) {
        if ((APP_DEPLOYMENTS as readonly string[]).includes(workload.name) || workload.name === 'stripe-emulator') expect(image).toBe(`microtick/${workload.name}`);
        // A Job of ours (the stream's provisioning) runs one of the application's images.
        else if (image.startsWith('microtick/')) expect(APP_DEPLOYMENTS.map((name) => `microtick/${name}`)).toContain(image);
        else expect(image).toMatch(/^[a-z0-9./-]+:\d[\w.-]*$/);
      }
    }
  });
});

describe('secrets', () => {
  test('base and prod commit no Secret: production secrets are created by the operator', () => {
    expect(render('base').filter((m) => m.kind === 'Secret')).toEqual([]);
    expect(render('prod').filter((m) => m.kind === 'Secret')).toEqual([]);
  });

  test('dev generates every Secret it needs, each value visibly a development one', () => {
    const dev = render('dev');
    for (const container of workloads(dev).flatMap(containersOf)) expect(containerEnvironment(container, dev).external).toEqual([]);
    const values = ofKind<ISecret>(dev, 'Secret').flatMap((secret) => Object.values(secret.data ?? {}));
    expect(values.length).toBeGreaterThan(0);
    for (const value of values) expect(Buffer.from(value, 'base64').toString()).toMatch(/^dev-only-/);
  });

  test('docs/kubernetes.md tells how to create every Secret production needs', () => {
    const doc = readFileSync(path.join(repoRoot, 'docs/kubernetes.md'), 'utf8');
    const section = doc.slice(doc.indexOf('## Production'));
    expect(section).toMatch(/^## Production/);
    const prod = render('prod');
    const referenced = new Map<string, Set<string>>();
    for (const container of workloads(prod).flatMap(containersOf)) {
      for (const variable of container.env ?? []) {
        const ref = variable.valueFrom?.secretKeyRef;
        if (ref?.name) referenced.set(ref.name, (referenced.get(ref.name) ?? new Set<string>()).add(ref.key));
      }
    }
    expect(referenced.size).toBeGreaterThan(0);
    for (const [name, keys] of referenced) {
      expect(section).toContain(`kubectl create secret generic ${name}`);
      for (const key of keys) expect(section).toContain(`--from-literal=${key}=`);
    }
    const certificates = ofKind<IGateway>(prod, 'Gateway').flatMap((gateway) => gateway.spec.listeners.flatMap((l) => l.tls?.certificateRefs ?? []));
    expect(certificates.length).toBeGreaterThan(0);
    for (const certificate of certificates) expect(section).toContain(`kubectl create secret tls ${certificate.name}`);
  });
});

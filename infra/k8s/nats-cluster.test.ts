import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Manifest } from './testing/kustomize';
import { ofKind, type IConfigMap, type IPodDisruptionBudget, type IService, type IStatefulSet } from './testing/models';
import { NODE_SERVICES, render } from './testing/overlays';
import { containerEnvironment, workloads, type Workload } from './testing/workloads';

/** Production's NATS: a three-node JetStream cluster the services know every node of. */
const NATS_SERVER = process.env.NATS_SERVER_BIN ?? '/usr/sbin/nats-server';
const prod = render('prod');
const find = <T>(kind: Parameters<typeof ofKind>[1], name: string): T => {
  const found = ofKind<T & { metadata?: { name?: string } }>(prod, kind).find((m) => m.metadata?.name === name);
  if (!found) throw new Error(`no ${kind}/${name}`);
  return found;
};
const nats = workloads(prod).find((w) => w.name === 'nats') as Workload;
const container = nats.pod.containers.find((c) => c.name === 'nats');
const set = find<IStatefulSet>('StatefulSet', 'nats');
/** The files in the config folder the container mounts (a projected volume of ConfigMaps). */
const configFiles = (): Record<string, string> => {
  const mount = container?.volumeMounts?.find((m) => m.name === 'config');
  const sources = nats.pod.volumes?.find((v) => v.name === mount?.name)?.projected?.sources ?? [];
  return Object.assign({}, ...sources.map((source) => find<IConfigMap>('ConfigMap', source.configMap?.name ?? '').data ?? {}));
};
const config = () => {
  const file = (container?.args ?? [])[(container?.args ?? []).indexOf('--config') + 1] ?? '';
  expect(path.dirname(file)).toBe(container?.volumeMounts?.find((m) => m.name === 'config')?.mountPath);
  const text = configFiles()[path.basename(file)];
  if (!text) throw new Error(`no ${path.basename(file)} in the config folder`);
  return text;
};
const portOf = (name: string) => container?.ports?.find((p) => p.name === name)?.containerPort;
const pods = Array.from({ length: set.spec?.replicas ?? 0 }, (_, i) => `nats-${i}.${set.spec?.serviceName}`);

test('three nodes, started together, never two on one machine, at most one taken down at a time', () => {
  expect(set.spec?.replicas).toBe(3);
  expect(set.spec?.podManagementPolicy).toBe('Parallel');
  expect(nats.pod.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution).toEqual([
    { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { 'app.kubernetes.io/name': 'nats' } } },
  ]);
  expect(find<IPodDisruptionBudget>('PodDisruptionBudget', 'nats').spec).toEqual({ maxUnavailable: 1, selector: { matchLabels: { 'app.kubernetes.io/name': 'nats' } } });
  expect(set.spec?.volumeClaimTemplates?.[0]?.spec?.resources?.requests?.storage).toBe('10Gi');
});

test('each node routes to every node by its stable name, published before it is ready', () => {
  const service = find<IService>('Service', set.spec?.serviceName ?? '');
  expect(service.spec?.clusterIP).toBe('None');
  expect(service.spec?.publishNotReadyAddresses).toBe(true);
  expect(service.spec?.ports?.find((p) => p.name === 'cluster')?.port).toBe(portOf('cluster'));
  const text = config();
  expect(text).toMatch(new RegExp(`^\\s*port: ${portOf('cluster')}$`, 'm'));
  const routes = [...text.matchAll(/nats:\/\/([a-z0-9.-]+):(\d+)/g)].map(([, host, port]) => `${host}:${port}`);
  expect(routes).toEqual(pods.map((pod) => `${pod}:${portOf('cluster')}`));
  expect(text).toMatch(/^server_name: \$POD_NAME$/m);
  expect(container?.env).toContainEqual({ name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } });
});

test('JetStream stores on the persistent volume and fsyncs every write before acknowledging it', () => {
  const text = config();
  const storeDir = /store_dir: (\S+)/.exec(text)?.[1];
  expect(container?.volumeMounts?.find((m) => nats.claimTemplates.includes(m.name))?.mountPath).toBe(storeDir);
  expect(text).toMatch(/^\s*sync_interval: always$/m);
  expect(container?.image).toMatch(/^nats:2\.(1\d|[2-9]\d)-/); // sync_interval exists from 2.10
});

test('every service knows every node and keeps the stream on all three', () => {
  for (const service of NODE_SERVICES) {
    const env = containerEnvironment(workloads(prod).find((w) => w.name === service)?.pod.containers[0] ?? { name: '' }, prod).values;
    expect(env.get('NATS_URL')?.split(',')).toEqual(pods.map((pod) => `nats://${pod}:${portOf('client')}`));
    expect(env.get('NATS_STREAM_REPLICAS')).toBe(String(set.spec?.replicas));
  }
});

// nats-server 2.9.10 (this machine's) checks the files; it predates sync_interval, the one line it cannot know.
test('nats-server accepts the configuration', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'microtick-nats-conf-'));
  try {
    for (const [name, text] of Object.entries(configFiles())) writeFileSync(path.join(dir, name), text);
    const file = path.join(dir, 'nats.conf');
    writeFileSync(file, config().replace(/^\s*sync_interval: always$/m, '').replace('/data', path.join(dir, 'data')));
    // The container's environment: its pod name and every password the users file refers to.
    const env = Object.fromEntries((container?.env ?? []).map((variable) => [variable.name, `value-of-${variable.name}`]));
    const check = spawnSync(NATS_SERVER, ['-t', '-c', file], { encoding: 'utf8', env: { ...process.env, ...env, POD_NAME: 'nats-0' } });
    expect(`${check.stdout}${check.stderr}`).toMatch(/is valid/);
    expect(check.status).toBe(0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('dev keeps one server', () => {
  expect(workloads(render('dev')).find((w) => w.name === 'nats')?.replicas).toBe(1);
  expect((render('dev') as Manifest[]).some((m) => m.kind === 'PodDisruptionBudget' && m.metadata.name === 'nats')).toBe(false);
});

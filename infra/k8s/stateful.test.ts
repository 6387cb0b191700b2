import type { Manifest } from './testing/kustomize';
import { ofKind, type IService } from './testing/models';
import { OVERLAYS, render } from './testing/overlays';
import { containerEnvironment, workloads, type Container, type Workload } from './testing/workloads';

/** What each piece of state runs on, and that the services reach it with matching credentials. */

const workload = (manifests: Manifest[], name: string): Workload => {
  const found = workloads(manifests).find((w) => w.name === name);
  if (!found) throw new Error(`no workload ${name}`);
  return found;
};
const mainContainer = (w: Workload): Container => {
  const [container] = w.pod.containers;
  if (!container) throw new Error(`${w.name} has no container`);
  return container;
};
const claimMountPath = (w: Workload): string | undefined =>
  mainContainer(w).volumeMounts?.find((mount) => w.claimTemplates.includes(mount.name))?.mountPath;
const servicePort = (manifests: Manifest[], name: string) =>
  ofKind<IService>(manifests, 'Service').find((s) => s.metadata?.name === name)?.spec?.ports?.[0]?.port;
const argAfter = (args: string[], flag: string) => args[args.indexOf(flag) + 1];

describe.each(['auth', 'tickets', 'orders', 'payments'])('%s database', (service) => {
  test.each(OVERLAYS)('%s: its own postgres:15 StatefulSet on a persistent volume', (overlay) => {
    const database = workload(render(overlay), `${service}-postgres`);
    const container = mainContainer(database);
    expect(database.kind).toBe('StatefulSet');
    expect(container.image).toBe('postgres:15');
    const pgdata = container.env?.find((variable) => variable.name === 'PGDATA')?.value ?? '';
    expect(pgdata.startsWith(`${claimMountPath(database)}/`)).toBe(true);
  });

  test('dev: DATABASE_URL names its host, port, user, database and password', () => {
    const dev = render('dev');
    const database = containerEnvironment(mainContainer(workload(dev, `${service}-postgres`)), dev).values;
    const url = new URL(containerEnvironment(mainContainer(workload(dev, service)), dev).values.get('DATABASE_URL') ?? '');
    expect(url.hostname).toBe(`${service}-postgres`);
    expect(Number(url.port)).toBe(servicePort(dev, `${service}-postgres`));
    expect(decodeURIComponent(url.username)).toBe(database.get('POSTGRES_USER'));
    expect(decodeURIComponent(url.password)).toBe(database.get('POSTGRES_PASSWORD'));
    expect(url.pathname).toBe(`/${database.get('POSTGRES_DB')}`);
  });

  test('prod: the service and its database read the password from the same Secret key', () => {
    const prod = render('prod');
    const secretOf = (w: Workload, name: string) => mainContainer(w).env?.find((variable) => variable.name === name)?.valueFrom?.secretKeyRef;
    expect(secretOf(workload(prod, service), 'DB_PASSWORD')).toEqual(secretOf(workload(prod, `${service}-postgres`), 'POSTGRES_PASSWORD'));
  });
});

describe.each(OVERLAYS)('%s', (overlay) => {
  const manifests = render(overlay);

  test('Redis keeps an append-only file on its persistent volume, where expiration looks for it', () => {
    const redis = workload(manifests, 'redis');
    const args = mainContainer(redis).args ?? [];
    expect(argAfter(args, '--appendonly')).toBe('yes');
    expect(argAfter(args, '--dir')).toBe(claimMountPath(redis));
    const url = new URL(containerEnvironment(mainContainer(workload(manifests, 'expiration')), manifests).values.get('REDIS_URL') ?? '');
    expect(url.hostname).toBe('redis');
    expect(Number(url.port)).toBe(servicePort(manifests, 'redis'));
  });
});

test('dev: one NATS server runs JetStream with file storage on its persistent volume, where the services look for it', () => {
  const dev = render('dev');
  const nats = workload(dev, 'nats');
  const args = mainContainer(nats).args ?? [];
  expect(nats.replicas).toBe(1);
  expect(mainContainer(nats).image).toBe('nats:2.12-alpine');
  expect(args).toContain('-js');
  expect(argAfter(args, '-sd')).toBe(claimMountPath(nats));
  const url = new URL(containerEnvironment(mainContainer(workload(dev, 'orders')), dev).values.get('NATS_URL') ?? '');
  expect(url.hostname).toBe('nats');
  expect(Number(url.port)).toBe(mainContainer(nats).ports?.find((port) => port.name === 'client')?.containerPort);
});

describe('Stripe', () => {
  test('dev: payments uses the bundled emulator, and has no secret key', () => {
    const dev = render('dev');
    const env = containerEnvironment(mainContainer(workload(dev, 'payments')), dev).values;
    expect(env.get('STRIPE_API_URL')).toBe(`http://stripe-emulator:${servicePort(dev, 'stripe-emulator')}`);
    expect(env.has('STRIPE_SECRET_KEY')).toBe(false);
    expect(mainContainer(workload(dev, 'stripe-emulator')).env).toEqual(expect.arrayContaining([{ name: 'HOST', value: '0.0.0.0' }]));
  });

  test('prod: payments uses real Stripe with the key from a Secret, and there is no emulator', () => {
    const prod = render('prod');
    const env = mainContainer(workload(prod, 'payments')).env ?? [];
    expect(env.find((variable) => variable.name === 'STRIPE_SECRET_KEY')?.valueFrom?.secretKeyRef).toEqual({ name: 'stripe', key: 'STRIPE_SECRET_KEY' });
    expect(env.some((variable) => variable.name === 'STRIPE_API_URL')).toBe(false);
    expect(workloads(prod).some((w) => w.name === 'stripe-emulator')).toBe(false);
  });
});

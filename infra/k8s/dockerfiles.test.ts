import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { connectEventBus, localNatsCredentials, localRedisCredentials, type EventBus } from '@microtick/common';
import { Redis } from 'ioredis';
import { NATS_ADMIN, NATS_URL, PG_URL, REDIS_URL, silentLogger } from '@microtick/common/testing';
import { freePort, linkWorkspacePackages, startProcess, terminate, waitForOk } from './testing/boot';
import { runStage } from './testing/build-stage';
import { envOf, instructions, parseDockerfile, runCommands, stage, type Dockerfile } from './testing/dockerfile';
import { NODE_SERVICES, render, repoRoot } from './testing/overlays';
import { containerEnvironment, workloads } from './testing/workloads';
import { SERVICE_NODE_FLAGS } from '../local/src/stack-plan';

const read = (file: string) => readFileSync(path.join(repoRoot, file), 'utf8');
const serviceDockerfile = parseDockerfile(read('infra/docker/service.Dockerfile'));
const clientDockerfile = parseDockerfile(read('infra/docker/client.Dockerfile'));
const rootPackage = JSON.parse(read('package.json')) as { workspaces: string[]; scripts: Record<string, string>; engines: { node: string } };
/** Every service image built from service.Dockerfile: the five services and the dev-only Stripe emulator. */
const SERVICE_IMAGES = [...NODE_SERVICES, 'infra/stripe-emulator'];

describe.each([
  ['service.Dockerfile', serviceDockerfile],
  ['client.Dockerfile', clientDockerfile],
] as const)('%s', (_, dockerfile: Dockerfile) => {
  test('has build, dev and runtime stages, runtime last so it is the default target', () => {
    expect(dockerfile.stages.map((s) => s.name)).toEqual(['build', 'dev', 'runtime']);
  });

  test('builds on Node 24, the current LTS, which the workspace supports beside Node 20 (local runs and CI)', () => {
    expect(dockerfile.globalArgs['NODE_IMAGE']).toBe('node:24-bookworm-slim');
    // engines is a lower bound on Node 20, so both this machine's Node 20 and the image's Node 24 satisfy it.
    expect(rootPackage.engines.node).toMatch(/^>=20\.\d+$/);
    expect(Number(process.versions.node.split('.')[0])).toBeGreaterThanOrEqual(20);
    for (const s of dockerfile.stages) expect(['${NODE_IMAGE}', 'build']).toContain(s.from);
  });

  test('copies every workspace manifest before `npm ci`, so the install matches the lockfile', () => {
    const build = stage(dockerfile, 'build');
    const npmCi = build.instructions.findIndex((i) => i.keyword === 'RUN' && i.args.startsWith('npm ci'));
    const copiedBefore = build.instructions.slice(0, npmCi).filter((i) => i.keyword === 'COPY').map((i) => i.args);
    expect(copiedBefore).toContain('package.json package-lock.json tsconfig.base.json ./');
    for (const workspace of rootPackage.workspaces) expect(copiedBefore).toContain(`${workspace}/package.json ${workspace}/`);
  });

  test('the runtime stage runs as a numeric non-root user in production mode', () => {
    const runtime = stage(dockerfile, 'runtime');
    expect(envOf(runtime, 'NODE_ENV')).toBe('production');
    expect(instructions(runtime, 'USER').at(-1)?.args).toBe('1000:1000');
  });
});

describe('service.Dockerfile', () => {
  const build = stage(serviceDockerfile, 'build');
  const runtime = stage(serviceDockerfile, 'runtime');

  test('the build stage runs the commands CI runs: `npm ci`, then `tsc -b` on the service', () => {
    expect(read('.ci/run')).toMatch(/^npm ci\b/m);
    expect(rootPackage.scripts['build']).toBe('tsc -b');
    const [install, compile] = runCommands(build);
    expect(install).toBe('npm ci --no-audit --no-fund');
    expect(compile).toBe('npx tsc -b ${SERVICE}');
  });

  test('the runtime stage installs production dependencies of common and the service only, and runs compiled JavaScript', () => {
    expect(runCommands(runtime)).toEqual(['npm ci --omit=dev --no-audit --no-fund --workspace common --workspace ${SERVICE}']);
    expect(instructions(runtime, 'COPY').map((i) => [i.flags, i.args])).toContainEqual([['--from=build'], '/repo/runtime/ ./']);
    expect(instructions(runtime, 'WORKDIR').at(-1)?.args).toBe('/app/${SERVICE}');
    const command = JSON.parse(instructions(runtime, 'CMD').at(-1)?.args ?? '[]') as string[];
    expect(command.slice(-3)).toEqual(['--require', '@microtick/common/tracing/register', 'dist/main.js']);
  });

  test('the runtime stage runs node with exactly the V8 flags the local runner and the benchmarks use, on its command line', () => {
    const command = JSON.parse(instructions(runtime, 'CMD').at(-1)?.args ?? '[]') as string[];
    expect(command.slice(0, -3)).toEqual(['node', ...SERVICE_NODE_FLAGS]);
    // Node refuses --single-threaded in NODE_OPTIONS: a flag there too would be a second source.
    expect(instructions(runtime, 'ENV').map((i) => i.args).join(' ')).not.toContain('NODE_OPTIONS');
  });

  test.each(SERVICE_IMAGES)('the build stage copies every project %s compiles against', (service) => {
    const copied = instructions(build, 'COPY').map((i) => i.args.split(' ')[0]?.replace('${SERVICE}', service));
    const tsconfig = JSON.parse(read(`${service}/tsconfig.json`)) as { references?: { path: string }[] };
    for (const reference of tsconfig.references ?? []) {
      expect(copied).toContain(`${path.posix.normalize(path.posix.join(service, reference.path))}/`);
    }
  });

  // Runs the build stage for real (minus the download in `npm ci`) for every service, in one
  // scratch folder (common compiles once), and checks the tree the runtime stage copies holds what
  // each service needs at run time.
  describe('run for every service', () => {
    let root: string;
    beforeAll(() => {
      root = mkdtempSync(path.join(tmpdir(), 'microtick-image-'));
      for (const service of SERVICE_IMAGES) runStage(build, { context: repoRoot, root, args: { SERVICE: service }, timeoutMs: 240_000 });
    }, 600_000);
    afterAll(() => rmSync(root, { recursive: true, force: true }));
    const runtimeTree = (...parts: string[]) => path.join(root, 'repo/runtime', ...parts);

    test('the runtime tree holds common, compiled, with its migrations where the code reads them (dist/db/../../drizzle)', () => {
      expect(existsSync(runtimeTree('common/package.json'))).toBe(true);
      expect(existsSync(runtimeTree('common/dist/index.js'))).toBe(true);
      expect(existsSync(runtimeTree('common/dist/db/../../drizzle/meta/_journal.json'))).toBe(true);
    });

    test.each(SERVICE_IMAGES)('the runtime tree holds %s, compiled, with its migrations', (service) => {
      expect(existsSync(runtimeTree(service, 'package.json'))).toBe(true);
      expect(existsSync(runtimeTree(service, 'dist/main.js'))).toBe(true);
      if (existsSync(path.join(repoRoot, service, 'drizzle'))) {
        expect(existsSync(runtimeTree(service, 'dist/db/../../drizzle/meta/_journal.json'))).toBe(true);
      }
    });

    test('the runtime tree holds no tests', () => {
      const files = readdirSync(runtimeTree(), { recursive: true, encoding: 'utf8' });
      expect(files.filter((file) => /\.test\.[jt]s/.test(file))).toEqual([]);
    });

    // The image's command, in the image's layout, with the environment the dev overlay gives it
    // (addresses pointed at this machine's Postgres, NATS and Redis): it starts, finds its
    // migrations, answers the paths its Deployment probes, and stops on SIGTERM well within the
    // pod's grace period.
    const deployments = [...NODE_SERVICES.map((service) => [service, service]), ['stripe-emulator', 'infra/stripe-emulator']];
    describe.each(deployments)('Deployment %s', (service, folder) => {
      // A stream and subject prefix of its own, deleted afterwards, so nothing else sees its events.
      const unique = `k8s_image_${service}_${process.env.JEST_WORKER_ID ?? '0'}_${randomUUID().slice(0, 8)}`;
      let bus: EventBus;
      beforeAll(async () => {
        bus = await connectEventBus({ url: NATS_URL, stream: unique.toUpperCase(), subjectPrefix: unique, name: unique, logger: silentLogger, credentials: NATS_ADMIN });
      });
      afterAll(async () => {
        await bus.jsm.streams.delete(bus.stream);
        await bus.close();
        const redis = new Redis(REDIS_URL);
        const keys = await redis.keys(`${unique}*`);
        if (keys.length) await redis.del(...keys);
        await redis.quit();
      });

      test('boots from the runtime tree, answers its probes, and drains on SIGTERM within its grace period', async () => {
        linkWorkspacePackages(runtimeTree(), { common: 'common' });
        const dev = render('dev');
        const deployment = workloads(dev).find((w) => w.name === service);
        const container = deployment?.pod.containers[0];
        if (!deployment || !container) throw new Error(`no ${service} Deployment`);
        const env = Object.fromEntries(containerEnvironment(container, dev).values);
        const port = await freePort();
        const local: Record<string, string> = {
          NODE_ENV: envOf(runtime, 'NODE_ENV') ?? '',
          LOG_LEVEL: 'warn',
          PORT: String(port),
          NATS_URL,
          NATS_STREAM: bus.stream,
          NATS_SUBJECT_PREFIX: unique,
          REDIS_URL,
          REDIS_KEY_PREFIX: unique,
          HOST: '127.0.0.1',
        };
        // On servers infra/setup.sh configured, the service connects as itself (docs/security.md).
        const nats = service === 'stripe-emulator' ? undefined : localNatsCredentials(service as 'auth');
        if (nats) Object.assign(local, { NATS_USER: nats.user, NATS_PASSWORD: nats.password });
        const redis = service === 'expiration' ? localRedisCredentials('expiration') : undefined;
        if (redis) Object.assign(local, { REDIS_USERNAME: redis.user, REDIS_PASSWORD: redis.password });
        if (env.DATABASE_URL) local.DATABASE_URL = `${PG_URL}/mt_test_${process.env.MT_TEST_RUN ?? 'local0000000'}_k8s_image_${service}_${process.env.JEST_WORKER_ID ?? '0'}`;

        const probePath = (probe: typeof container.readinessProbe) => probe?.httpGet?.path ?? 'no httpGet probe';
        const booted = startProcess(JSON.parse(instructions(runtime, 'CMD').at(-1)?.args ?? '[]') as string[], { cwd: runtimeTree(folder), env: { ...env, ...local } });
        try {
          await waitForOk(`http://127.0.0.1:${port}${probePath(container.readinessProbe)}`, booted, 30_000);
          for (const probe of [container.livenessProbe, container.startupProbe]) {
            expect((await fetch(`http://127.0.0.1:${port}${probePath(probe)}`)).status).toBe(200);
          }
        } finally {
          const stopped = await terminate(booted, 40_000);
          expect({ code: stopped.code, output: stopped.code === 0 ? '' : booted.output() }).toEqual({ code: 0, output: '' });
          const preStop = Number(container.lifecycle?.preStop?.exec?.command?.[1] ?? 0);
          expect(preStop + stopped.seconds).toBeLessThan(deployment.pod.terminationGracePeriodSeconds ?? 30);
        }
      }, 60_000);
    });
  });
});

describe('client.Dockerfile', () => {
  const build = stage(clientDockerfile, 'build');
  const runtime = stage(clientDockerfile, 'runtime');
  const clientPackage = JSON.parse(read('client/package.json')) as { scripts: Record<string, string> };

  test("the build stage runs `npm ci`, then the client's own build (next build)", () => {
    const [install, compile] = runCommands(build);
    expect(install).toBe('npm ci --no-audit --no-fund');
    expect(compile).toBe('npm run build --workspace client');
    expect(clientPackage.scripts['build']).toMatch(/\bnext build$/);
  });

  test("the runtime stage runs Next's standalone server, which next.config asks for", () => {
    const nextConfig = read('client/next.config.ts');
    expect(nextConfig).toMatch(/output:\s*'standalone'/);
    // Tracing from the workspace root puts the server at .next/standalone/client/server.js.
    expect(nextConfig).toMatch(/outputFileTracingRoot:\s*workspaceRoot/);
    expect(instructions(runtime, 'COPY').map((i) => [i.flags, i.args])).toEqual([[['--from=build'], '/repo/client/.next/standalone/ ./']]);
    expect(instructions(runtime, 'WORKDIR').at(-1)?.args).toBe('/app/client');
    expect(instructions(runtime, 'CMD').at(-1)?.args).toBe('["node", "server.js"]');
    expect(envOf(runtime, 'HOSTNAME')).toBe('0.0.0.0');
  });

  // The build stage for real (next build, minus the download in `npm ci`), then the runtime
  // stage's command in its layout: the standalone folder is what the image holds under /app.
  describe('run', () => {
    let root: string;
    beforeAll(() => {
      root = mkdtempSync(path.join(tmpdir(), 'microtick-client-image-'));
      runStage(build, { context: repoRoot, root, args: {}, timeoutMs: 480_000 });
    }, 600_000);
    afterAll(() => rmSync(root, { recursive: true, force: true }));

    test('serves pages and its static assets, and stops on SIGTERM within its grace period', async () => {
      const standalone = path.join(root, 'repo/client/.next/standalone');
      const dev = render('dev');
      const deployment = workloads(dev).find((w) => w.name === 'client');
      const container = deployment?.pod.containers[0];
      if (!deployment || !container) throw new Error('no client Deployment');
      const port = await freePort();
      const env = { ...Object.fromEntries(containerEnvironment(container, dev).values), NODE_ENV: envOf(runtime, 'NODE_ENV') ?? '', PORT: String(port), HOSTNAME: '127.0.0.1' };
      const [chunk] = readdirSync(path.join(standalone, 'client/.next/static/chunks'));
      const booted = startProcess(['node', 'server.js'], { cwd: path.join(standalone, 'client'), env });
      try {
        await waitForOk(`http://127.0.0.1:${port}/_next/static/chunks/${chunk}`, booted, 30_000);
        // The API is not running here: whatever the page makes of that, the server renders HTML.
        expect((await fetch(`http://127.0.0.1:${port}/auth/signin`)).headers.get('content-type')).toMatch(/^text\/html/);
      } finally {
        const stopped = await terminate(booted, 40_000);
        const preStop = Number(container.lifecycle?.preStop?.exec?.command?.[1] ?? 0);
        expect(preStop + stopped.seconds).toBeLessThan(deployment.pod.terminationGracePeriodSeconds ?? 30);
      }
    }, 60_000);
  });
});

test('.dockerignore keeps host builds and installs out of the build context', () => {
  const ignore = read('.dockerignore');
  for (const pattern of ['**/node_modules', '**/dist', '**/*.tsbuildinfo', '**/.next', '.git']) expect(ignore.split('\n')).toContain(pattern);
});

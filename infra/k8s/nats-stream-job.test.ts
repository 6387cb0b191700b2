import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, nanos } from '@nats-io/transport-node';
import { loadConfig, natsAuthOptions, serviceConfigSchema, streamSubjects } from '@microtick/common';
import { NATS_ADMIN, NATS_URL } from '@microtick/common/testing';
import { ofKind, type IJob } from './testing/models';
import { OVERLAYS, render, repoRoot } from './testing/overlays';
import { containerEnvironment } from './testing/workloads';

/**
 * The Job nats-stream, run as its container would (its command from the repository root, like the
 * dev image's working directory, with its environment pointed at this machine's NATS and a stream
 * of its own): it creates the stream the services expect, and running it again changes nothing.
 */
describe.each(OVERLAYS)('%s', (overlay) => {
  const manifests = render(overlay);
  const job = ofKind<IJob>(manifests, 'Job').find((j) => j.metadata?.name === 'nats-stream');
  const container = job?.spec?.template.spec?.containers[0];

  test('provisions as the admin identity, with the stream settings the services read', () => {
    const env = containerEnvironment(container ?? { name: '' }, manifests);
    expect(env.values.get('NATS_USER')).toBe('admin');
    expect(container?.env?.find((v) => v.name === 'NATS_PASSWORD')?.valueFrom?.secretKeyRef).toEqual({ name: 'nats-users', key: 'admin' });
    expect(env.values.get('NATS_STREAM_REPLICAS')).toBe(overlay === 'prod' ? '3' : '1');
    expect(job?.spec?.template.spec?.restartPolicy).toBe('OnFailure');
  });

  test('its command creates the stream, and a second run leaves it as it is', async () => {
    const unique = `k8s_job_${overlay}_${randomUUID().slice(0, 8)}`;
    const stream = unique.toUpperCase();
    const env = { ...Object.fromEntries(containerEnvironment(container ?? { name: '' }, manifests).values), NATS_URL, NATS_STREAM: stream, NATS_SUBJECT_PREFIX: unique, NATS_STREAM_REPLICAS: '1', LOG_LEVEL: 'warn' };
    // The manifest's admin identity, with this machine's admin password (infra/setup.sh), if it has one.
    delete (env as Record<string, string | undefined>).NATS_USER;
    delete (env as Record<string, string | undefined>).NATS_PASSWORD;
    if (NATS_ADMIN) Object.assign(env, { NATS_USER: NATS_ADMIN.user, NATS_PASSWORD: NATS_ADMIN.password });
    const [command = '', ...args] = container?.command ?? [];
    const run = () => spawnSync(command, args, { cwd: repoRoot, env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8', timeout: 30_000 });
    const nc = await connect({ servers: NATS_URL, ...natsAuthOptions(NATS_ADMIN) });
    const jsm = await jetstreamManager(nc);
    try {
      expect(run().status).toBe(0);
      const created = await jsm.streams.info(stream);
      expect(created.config.subjects).toEqual(streamSubjects(unique));
      // The limits the services would set with the same environment (common's defaults here).
      const config = loadConfig(serviceConfigSchema, { ...env, JWT_KEY: 'k'.repeat(32), DATABASE_URL: 'postgres://u:p@h/d' });
      expect(created.config.max_age).toBe(nanos(config.NATS_STREAM_MAX_AGE_HOURS * 3600_000));
      expect(created.config.max_bytes).toBe(config.NATS_STREAM_MAX_BYTES);
      expect(run().status).toBe(0);
      expect((await jsm.streams.info(stream)).created).toBe(created.created);
    } finally {
      await jsm.streams.delete(stream).catch(() => undefined);
      await nc.close();
    }
  }, 60_000);
});

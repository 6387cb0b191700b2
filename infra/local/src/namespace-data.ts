import { jetstreamManager } from '@nats-io/jetstream';
import { dropDatabase, localNatsCredentials, localRedisCredentials, natsAuthOptions, natsServers, redisUrlWith } from '@microtick/common';
import { connect } from '@nats-io/transport-node';
import { Redis } from 'ioredis';
import { databaseUrl, namespaceNames, POSTGRES_SERVICES, type InfraUrls } from './stack-plan';

/**
 * Deletes everything a namespaced stack stored on the shared servers: its databases, its
 * JetStream stream and its Redis keys. Refuses the default namespace: that is `npm start`'s data.
 */
export async function dropNamespaceData(namespace: string, infra: InfraUrls): Promise<void> {
  if (!namespace) throw new Error("refusing to drop the default namespace's data");
  const names = namespaceNames(namespace);
  // Each DROP DATABASE waits for a checkpoint (~2 s here): together they share one.
  await Promise.all([
    ...POSTGRES_SERVICES.map((service) => dropDatabase(databaseUrl(infra, names.database(service)))),
    deleteStream(infra, names.stream),
    deleteRedisKeys(infra, names.redisKeyPrefix),
  ]);
}

async function deleteStream(infra: InfraUrls, stream: string): Promise<void> {
  const nc = await connect({ servers: natsServers(infra.nats), ...natsAuthOptions(localNatsCredentials('admin')) });
  try {
    const jsm = await jetstreamManager(nc);
    await jsm.streams.delete(stream).catch(() => undefined); // never created: nothing to do
  } finally {
    await nc.close();
  }
}

async function deleteRedisKeys(infra: InfraUrls, prefix: string): Promise<void> {
  const redis = new Redis(redisUrlWith(infra.redis, localRedisCredentials('admin')), { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  try {
    for await (const keys of redis.scanStream({ match: `${prefix}:*`, count: 500 })) {
      if ((keys as string[]).length) await redis.unlink(...(keys as string[]));
    }
  } finally {
    redis.disconnect();
  }
}

import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { Redis } from 'ioredis';
import pg from 'pg';
import { namespaceNames, SERVICES, type InfraUrls } from './stack-plan';

/**
 * Deletes everything a namespaced stack stored on the shared servers: its databases, its
 * JetStream stream and its Redis keys. Refuses the default namespace: that is `npm start`'s data.
 */
export async function dropNamespaceData(namespace: string, infra: InfraUrls): Promise<void> {
  if (!namespace) throw new Error("refusing to drop the default namespace's data");
  const names = namespaceNames(namespace);

  const admin = new pg.Client({ connectionString: `${infra.postgres.replace(/\/+$/, '')}/postgres` });
  await admin.connect();
  try {
    for (const service of SERVICES) {
      await admin.query(`drop database if exists ${pg.escapeIdentifier(names.database(service))} with (force)`);
    }
  } finally {
    await admin.end();
  }

  const nc = await connect({ servers: infra.nats });
  try {
    const jsm = await jetstreamManager(nc);
    await jsm.streams.delete(names.stream).catch(() => undefined); // never created: nothing to do
  } finally {
    await nc.close();
  }

  const redis = new Redis(infra.redis, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  try {
    for await (const keys of redis.scanStream({ match: `${names.redisKeyPrefix}:*`, count: 500 })) {
      if ((keys as string[]).length) await redis.unlink(...(keys as string[]));
    }
  } finally {
    redis.disconnect();
  }
}

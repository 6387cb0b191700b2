import { localRedisCredentials, redisUrlWith } from '@microtick/common';
import { Redis } from 'ioredis';
import { namespaceNames } from '../../infra/local/src/stack-plan';

/**
 * The expiration service's parked messages (it keeps them in Redis, not Postgres), as stored:
 * see expiration/README.md, "Redis keys".
 */
export async function expirationDeadLetters(namespace: string, redisUrl: string): Promise<string[]> {
  const redis = new Redis(redisUrlWith(redisUrl, localRedisCredentials('admin')), { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  try {
    return await redis.hvals(`${namespaceNames(namespace).redisKeyPrefix}:expiration:dead-letters`);
  } finally {
    redis.disconnect();
  }
}

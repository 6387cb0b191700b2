import { localRedisCredentials, openDeadLetters } from '@microtick/common';
import { namespaceNames } from '../../infra/local/src/stack-plan';
import type { DeadLetterRow } from './stack-databases';

/**
 * The expiration service's parked messages (it keeps them in Redis, not Postgres), read by the
 * same implementation as `npm run dead-letters -- list --service expiration`, replayed ones included.
 */
export async function expirationDeadLetters(namespace: string, redisUrl: string): Promise<DeadLetterRow[]> {
  const admin = localRedisCredentials('admin');
  const letters = await openDeadLetters({
    service: 'expiration',
    redisUrl,
    redisUsername: admin?.user,
    redisPassword: admin?.password,
    keyPrefix: namespaceNames(namespace).redisKeyPrefix,
  });
  try {
    return (await letters.list({ includeReplayed: true })).map(({ consumer, eventType, eventId, error, deliveries }) => ({ service: 'expiration', consumer, eventType, eventId, error, deliveries }));
  } finally {
    await letters.close();
  }
}

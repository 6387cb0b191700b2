import type { Logger } from '@microtick/common/logger';
import type { ExpirationTimers } from './expiration-timers';

/** What expiration's handlers get from `RedisListenerStore`: the timers, and a logger. */
export interface ExpirationHandlerContext {
  timers: ExpirationTimers;
  logger: Logger;
}

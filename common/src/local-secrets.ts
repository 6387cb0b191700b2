import { readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Where infra/setup.sh keeps the secrets it generates for local runs and tests: outside the
 * repository, beside the servers' data (`/var/lib/microtick/secrets`, mode 0700, files 0600).
 * Kubernetes does not use this: there every credential comes from a Secret, as environment.
 */
export const localSecretsDir = (env: NodeJS.ProcessEnv = process.env): string =>
  env.MICROTICK_SECRETS_DIR ?? path.join(env.MICROTICK_DATA_DIR ?? '/var/lib/microtick', 'secrets');

/**
 * The secret `name` from the local secrets directory, or undefined when setup.sh has not
 * generated it (servers still without authentication: callers then connect anonymously).
 */
export function readLocalSecret(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const file = path.join(localSecretsDir(env), name);
  try {
    return readFileSync(file, 'utf8').trim() || undefined;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`cannot read ${file} (${(err as NodeJS.ErrnoException).code}): run as the user that ran infra/setup.sh`);
  }
}

export interface UserCredentials {
  user: string;
  password: string;
}

/** NATS identities: one per service, plus `admin` (stream management and test harnesses). */
export type NatsIdentity = 'admin' | 'auth' | 'tickets' | 'orders' | 'payments' | 'expiration';

export const localNatsCredentials = (user: NatsIdentity, env: NodeJS.ProcessEnv = process.env): UserCredentials | undefined => {
  const password = readLocalSecret(`nats-${user}.password`, env);
  return password ? { user, password } : undefined;
};

/** Redis ACL users: `expiration` (the service) and `admin` (test harnesses, clean-up). */
export const localRedisCredentials = (user: 'admin' | 'expiration', env: NodeJS.ProcessEnv = process.env): UserCredentials | undefined => {
  const password = readLocalSecret(`redis-${user}.password`, env);
  return password ? { user, password } : undefined;
};

/** `redis://host:port/db` with the user and password filled in (hex passwords need no escaping, but encode anyway). */
export const redisUrlWith = (url: string, credentials: UserCredentials | undefined): string => {
  if (!credentials) return url;
  const withAuth = new URL(url);
  withAuth.username = encodeURIComponent(credentials.user);
  withAuth.password = encodeURIComponent(credentials.password);
  return withAuth.toString();
};

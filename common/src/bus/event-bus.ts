import { DiscardPolicy, jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager, StorageType, type StreamConfig } from '@nats-io/jetstream';
import { connect, nanos, type NatsConnection } from '@nats-io/transport-node';
import type { UserCredentials } from '../local-secrets';
import type { Logger } from '../logger';
import { streamSubjects, subjectFor, type EventType } from '../events/catalogue';

/** A connection to NATS plus where MicroTick's events live on it. */
export interface EventBus {
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
  stream: string;
  subjectFor(type: EventType): string;
  close(): Promise<void>;
}

export interface EventBusOptions {
  /** A server URL, or a cluster's URLs comma-separated. */
  url: string;
  stream: string;
  subjectPrefix?: string;
  name: string;
  logger: Logger;
  /** Copies of the stream in a NATS cluster (default 1). */
  replicas?: number;
  /** JetStream drops a second publish with the same `Nats-Msg-Id` within this window. */
  duplicateWindowMs?: number;
  /** Events older than this are discarded, read or not (default 7 days): the longest tolerated consumer outage. */
  maxAgeMs?: number;
  /** The stream refuses new events beyond this size (default 8 GiB; -1 none); they wait in the outboxes. */
  maxBytes?: number;
  /**
   * This process's NATS identity (docs/security.md). Unset: connect without credentials, which
   * a server configured by infra/setup.sh refuses. Replies then come to `_INBOX_<user>.…`,
   * the only subjects the identity may subscribe to.
   */
  credentials?: UserCredentials;
}

export const DEFAULT_STREAM_MAX_AGE_MS = 7 * 24 * 3600_000;
export const DEFAULT_STREAM_MAX_BYTES = 8 * 1024 ** 3;

/**
 * Connects (reconnecting forever: a NATS restart must not kill the service) and makes sure the
 * stream exists with file storage, a de-duplication window and its limits (docs/operations.md).
 * The admin identity creates the stream or brings it to these settings; a service only checks
 * them (docs/security.md), so every process must be configured alike.
 */
export async function connectEventBus(options: EventBusOptions): Promise<EventBus> {
  const { logger } = options;
  const nc = await connect({
    servers: natsServers(options.url),
    name: options.name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
    // Every request (each JetStream publish of the relay, each ack that waits) otherwise builds two
    // Errors up front, with stacks, in case it fails: 70 % of a publish's CPU in tickets' profile.
    // A failed request still says what failed; only the caller's async stack is gone.
    noAsyncTraces: true,
    ...natsAuthOptions(options.credentials),
  });
  void (async () => {
    for await (const status of nc.status()) {
      if (status.type === 'disconnect' || status.type === 'reconnect') logger.warn({ status: status.type }, 'nats connection');
    }
  })();
  const jsm = await jetstreamManager(nc);
  const prefix = options.subjectPrefix ?? '';
  const config = {
    name: options.stream,
    subjects: streamSubjects(prefix),
    storage: StorageType.File,
    num_replicas: options.replicas ?? 1,
    duplicate_window: nanos(options.duplicateWindowMs ?? 5 * 60_000),
    max_age: nanos(options.maxAgeMs ?? DEFAULT_STREAM_MAX_AGE_MS),
    max_bytes: options.maxBytes ?? DEFAULT_STREAM_MAX_BYTES,
    // Full: refuse new events (the relays keep them in the outboxes and retry) rather than
    // dropping the oldest, which a lagging consumer may not have read yet.
    discard: DiscardPolicy.New,
  };
  // Only the admin identity may create or change the stream (a service that could would be able
  // to drop everyone's events); a service finds it as configured and changes nothing.
  let existing: StreamConfig | undefined;
  try {
    existing = (await jsm.streams.info(options.stream)).config;
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  try {
    if (!existing) await jsm.streams.add(config);
    else if (!streamMatches(existing, config)) await jsm.streams.update(options.stream, config);
  } catch (err) {
    await nc.close();
    if (!isPermissionDenied(err)) throw err;
    throw new Error(
      `stream ${options.stream} ${existing ? 'differs from this version\'s configuration' : 'does not exist'} and NATS user ` +
        `"${options.credentials?.user}" may not ${existing ? 'update' : 'create'} it: the admin identity provisions streams ` +
        '(npm start and the test harnesses do; see docs/security.md)',
    );
  }
  return {
    nc,
    js: jetstream(nc),
    jsm,
    stream: options.stream,
    subjectFor: (type) => subjectFor(type, prefix),
    close: async () => {
      if (!nc.isClosed()) await nc.drain();
    },
  };
}

/** Connect options for an identity: user and password, and an inbox of its own. */
export const natsAuthOptions = (credentials: UserCredentials | undefined) =>
  credentials ? { user: credentials.user, pass: credentials.password, inboxPrefix: `_INBOX_${credentials.user}` } : {};

const streamMatches = (
  existing: StreamConfig,
  wanted: Pick<StreamConfig, 'subjects' | 'storage' | 'num_replicas' | 'duplicate_window' | 'max_age' | 'max_bytes' | 'discard'>,
): boolean =>
  existing.storage === wanted.storage &&
  existing.num_replicas === wanted.num_replicas &&
  existing.duplicate_window === wanted.duplicate_window &&
  existing.max_age === wanted.max_age &&
  existing.max_bytes === wanted.max_bytes &&
  existing.discard === wanted.discard &&
  [...(existing.subjects ?? [])].sort().join(' ') === [...wanted.subjects].sort().join(' ');

/** The server refused a request because this identity lacks the permission ("Permissions Violation for Publish to …"). */
const isPermissionDenied = (err: unknown): boolean => err instanceof Error && /permissions? violation/i.test(err.message);

export const isNotFound = (err: unknown): boolean =>
  err instanceof Error && /not found/i.test(err.message);

/** `nats://a:4222,nats://b:4222` → each server, so the client can fail over between them. */
export const natsServers = (url: string): string[] =>
  url
    .split(',')
    .map((server) => server.trim())
    .filter(Boolean);

/**
 * The one dead-letter tool against the two kinds of store, each with a real ListenerRunner
 * parking and replaying: Postgres (a test database, as auth/tickets/orders/payments) and Redis
 * (a private key prefix, as expiration).
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
import { Redis } from 'ioredis';
import { defineListener, type AnyListener, type ListenerStore } from '../bus/listener';
import { ListenerRunner } from '../bus/listener-runner';
import { PostgresListenerStore } from '../bus/postgres-listener-store';
import { RedisListenerStore } from '../bus/redis-listener-store';
import { createTestDatabase, createTestEventBus, REDIS_URL, silentLogger, waitFor, type TestDatabase, type TestEventBus } from '../testing';
import { runDeadLetterCommand } from './dead-letter-command';

interface StoreUnderTest {
  service: 'orders' | 'expiration';
  env: NodeJS.ProcessEnv;
  store: ListenerStore<object>;
  close(): Promise<void>;
}

const postgres = async (): Promise<StoreUnderTest> => {
  const database: TestDatabase<Record<string, never>> = await createTestDatabase({ name: 'dead_letter_cli', migrationsFolder: path.join(__dirname, '../testing/fixture-migrations') });
  await database.truncate();
  return {
    service: 'orders',
    env: { DATABASE_URL: database.url },
    store: new PostgresListenerStore(database.db as NodePgDatabase<Record<string, unknown>>) as ListenerStore<object>,
    close: () => database.close(),
  };
};

const redis = async (): Promise<StoreUnderTest> => {
  const client = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const keyPrefix = `mt_test_dead_letters_${randomUUID().slice(0, 8)}`;
  return {
    service: 'expiration',
    env: { REDIS_URL, REDIS_KEY_PREFIX: keyPrefix },
    store: new RedisListenerStore({ redis: client, keyPrefix, service: 'expiration', deps: {} }),
    close: async () => {
      for await (const keys of client.scanStream({ match: `${keyPrefix}:*`, count: 500 })) if (keys.length) await client.del(...keys);
      await client.quit();
    },
  };
};

describe.each([
  ['Postgres', postgres],
  ['Redis', redis],
])('npm run dead-letters on a %s store', (_kind, open) => {
  let target: StoreUnderTest;
  let bus: TestEventBus;
  let runner: ListenerRunner<object> | undefined;
  beforeEach(async () => {
    target = await open();
    bus = await createTestEventBus('dead_letter_cli');
  });
  afterEach(async () => {
    await runner?.stop();
    runner = undefined;
    await bus.destroy();
    await target.close();
  });

  const run = async (...argv: string[]) => {
    const lines: string[] = [];
    const code = await runDeadLetterCommand(argv, target.env, (line) => lines.push(line));
    return { code, output: lines.join('\n') };
  };
  const startRunner = async (listener: AnyListener<object>) => {
    runner = new ListenerRunner({ service: target.service, bus, store: target.store, listeners: [listener], logger: silentLogger, replayPollMs: 100 });
    await runner.start();
  };
  const publish = async (body: string) => {
    await bus.js.publish(bus.subjectFor('ticket:updated'), body, { msgID: randomUUID() });
  };
  const listed = (id: string) => waitFor(async () => ((await run('list', '--service', target.service)).output.includes(id) ? true : undefined), { what: `${id} listed` });

  it('lists a parked event, replays it through the running service once the fault is fixed, and only once', async () => {
    let broken = true;
    const applied: string[] = [];
    await startRunner(
      defineListener<'ticket:updated', object>({
        event: 'ticket:updated',
        maxDeliver: 1,
        async handle(event) {
          if (broken) throw new Error('READONLY replica');
          applied.push(event.id);
        },
      }),
    );
    const eventId = randomUUID();
    const envelope = { id: eventId, type: 'ticket:updated', occurredAt: new Date().toISOString(), data: { id: randomUUID(), version: 1, title: 'x', price: 5, userId: randomUUID(), orderId: null } };
    await publish(JSON.stringify(envelope));
    await listed(eventId);

    const { code, output } = await run('list', '--service', target.service);
    expect(code).toBe(0);
    expect(output).toContain(`${target.service}-ticket-updated  ticket:updated  event=${eventId}  deliveries=1`);
    expect(output).toContain('Error: READONLY replica');
    const letterId = output.split(/\s+/)[0]!;

    broken = false;
    expect(await run('replay', '--service', target.service, letterId)).toMatchObject({ code: 0, output: expect.stringContaining('replay of') });
    await waitFor(() => applied.length === 1, { what: 'the replayed event handled' });
    await waitFor(async () => (await run('list', '--service', target.service)).output === `no dead letters in ${target.service}`, { what: 'the letter marked replayed' });
    expect((await run('list', '--service', target.service, '--all')).output).toMatch(new RegExp(`${letterId}.*replayed=`));
    expect(applied).toEqual([eventId]);
    // Replayed in the consuming process: nothing was published again.
    expect((await bus.jsm.streams.info(bus.stream)).state.messages).toBe(1);
    await expect(run('replay', '--service', target.service, letterId)).rejects.toThrow(/already replayed|no pending dead letter/);
  });

  it('refuses to replay a message that is not an event', async () => {
    await startRunner(defineListener<'ticket:updated', object>({ event: 'ticket:updated', handle: async () => undefined }));
    await publish('not json at all');
    const output = await waitFor(async () => {
      const listing = (await run('list', '--service', target.service)).output;
      return listing.includes('invalid event') ? listing : undefined;
    }, { what: 'the invalid message parked' });
    await expect(run('replay', '--service', target.service, output.split(/\s+/)[0]!)).rejects.toThrow(/cannot be replayed/);
  });
});

describe('npm run dead-letters usage', () => {
  const run = async (...argv: string[]) => {
    const lines: string[] = [];
    return { code: await runDeadLetterCommand(argv, {}, (line) => lines.push(line)), output: lines.join('\n') };
  };

  it.each([[['list']], [['replay', '--service', 'orders']], [['list', '--service', 'orders', 'extra']], [['purge', '--service', 'orders']], [['list', '--servce', 'orders']]])(
    'answers %j with the usage and exit code 2, opening nothing',
    async (argv) => {
      const { code, output } = await run(...argv);
      expect(code).toBe(2);
      expect(output).toMatch(/usage: npm run dead-letters -- list --service NAME/);
    },
  );

  it('names an unknown service', async () => {
    expect(await run('list', '--service', 'billing')).toMatchObject({ code: 2, output: expect.stringMatching(/^unknown service "billing"/) });
  });
});

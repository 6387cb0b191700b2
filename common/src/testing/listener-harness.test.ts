import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { defineListener } from '../bus/listener';
import { versionedReplica } from '../bus/replica';
import { replicaItems } from './replica-fixture';
import { retrying, useListenerHarness, useServiceDatabase } from '.';

/** A replica of tickets kept by two consumers, so an update can overtake its creation. */
const items = versionedReplica(replicaItems, { what: 'item' });
const listeners = [
  defineListener({
    event: 'ticket:created',
    handle: async ({ data }, { tx }) => {
      await items.apply(tx, data, { create: () => ({ title: data.title }) });
    },
  }),
  defineListener({
    event: 'ticket:updated',
    handle: async ({ data }, { tx }) => {
      await items.apply(tx, data, { update: () => ({ title: data.title }) });
    },
  }),
];

const database = useServiceDatabase({ name: 'harness', migrationsFolder: path.join(__dirname, 'fixture-migrations'), schema: { replicaItems } });
const harness = useListenerHarness({ service: 'harness', database, listeners });
const read = async (id: string) => (await database().db.select().from(replicaItems).where(eq(replicaItems.id, id)))[0];
const ticket = (id: string, version: number) => ({ id, version, title: `v${version}`, price: 10, userId: randomUUID() });

describe('the consumer test harness', () => {
  it('settled() waits for events held back for a retry, not only for the ones delivered once', async () => {
    const id = randomUUID();
    await harness().publish('ticket:updated', { ...ticket(id, 1), orderId: null });
    await harness().heldBack('ticket:updated');
    await harness().publish('ticket:created', ticket(id, 0));
    await harness().settled();
    expect(await read(id)).toMatchObject({ version: 1, title: 'v1' });
  });

  it('settled(type) waits for that consumer only', async () => {
    const id = randomUUID();
    await harness().publish('ticket:created', ticket(id, 0));
    await harness().settled('ticket:created');
    expect(await read(id)).toMatchObject({ version: 0 });
  });

  it('starts each test on an empty database', async () => {
    expect(await database().db.select().from(replicaItems)).toEqual([]);
  });
});

describe('retrying', () => {
  it('returns once the assertion holds', async () => {
    let calls = 0;
    await expect(retrying(() => expect(++calls).toBe(3))).resolves.toBeUndefined();
    expect(calls).toBe(3);
  });

  it('fails with the assertion’s own error after the timeout', async () => {
    await expect(retrying(() => expect(1).toBe(99), { timeoutMs: 100 })).rejects.toThrow(/Expected: 99/);
  });
});

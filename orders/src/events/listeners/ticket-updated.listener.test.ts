import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { waitFor, type ListenerHarness } from '@microtick/common/testing';
import { ticketUpdated } from './ticket-updated.listener';
import { createOrdersTestDatabase, readTicket, startOrdersListeners, type OrdersTestDatabase } from '../../test-support';

let database: OrdersTestDatabase;
let harness: ListenerHarness;
beforeAll(async () => {
  database = await createOrdersTestDatabase();
  // Test-only audit of every version written to the replica, to see the order they were applied in.
  await database.db.execute(sql`create table if not exists test_ticket_versions_applied (seq serial primary key, ticket_id uuid not null, version integer not null)`);
  await database.db.execute(sql`create or replace function test_record_ticket_version() returns trigger language plpgsql as $$
    begin insert into test_ticket_versions_applied (ticket_id, version) values (new.id, new.version); return new; end $$`);
  await database.db.execute(sql`create or replace trigger test_ticket_versions_applied after insert or update on tickets_replica
    for each row execute function test_record_ticket_version()`);
});
afterAll(async () => {
  await database.db.execute(sql`drop trigger if exists test_ticket_versions_applied on tickets_replica`);
  await database.db.execute(sql`drop function if exists test_record_ticket_version`);
  await database.db.execute(sql`drop table if exists test_ticket_versions_applied`);
  await database.close();
});
beforeEach(async () => {
  await database.truncate();
  harness = await startOrdersListeners(database.db);
});
afterEach(() => harness.stop());

const userId = randomUUID();
const ticketAt = (id: string, version: number, title = `v${version}`) => ({ id, version, title, price: 10 + version, userId, orderId: null });
const createdAt0 = (id: string) => {
  const { orderId: _unreserved, ...data } = ticketAt(id, 0);
  return data;
};

const appliedVersions = async (id: string) =>
  (await database.db.execute<{ version: number }>(sql`select version from test_ticket_versions_applied where ticket_id = ${id} order by seq`)).rows.map((r) => r.version);

async function listTicket() {
  const id = randomUUID();
  const event = await harness.publish('ticket:created', createdAt0(id));
  await harness.settled(event.type);
  return id;
}

describe('ticket:updated', () => {
  it('applies the next version', async () => {
    const id = await listTicket();
    const event = await harness.publish('ticket:updated', { ...ticketAt(id, 1, 'Renamed'), price: 99.99, orderId: randomUUID() });
    await harness.settled(event.type);
    expect(await readTicket(database.db, id)).toMatchObject({ title: 'Renamed', priceCents: 9_999, userId, version: 1 });
  });

  it('applies a delivery that arrives twice only once', async () => {
    const id = await listTicket();
    const event = await harness.publish('ticket:updated', ticketAt(id, 1));
    await harness.settled(event.type);
    await harness.redeliver(event);
    await harness.settled(event.type);
    expect(await appliedVersions(id)).toEqual([0, 1]);
  });

  it('ignores a version it already holds or has passed', async () => {
    const id = await listTicket();
    for (const version of [1, 2]) {
      await harness.publish('ticket:updated', ticketAt(id, version));
      await harness.settled('ticket:updated');
    }
    const stale = await harness.publish('ticket:updated', ticketAt(id, 1, 'late v1'));
    await harness.settled(stale.type);
    expect(await readTicket(database.db, id)).toMatchObject({ title: 'v2', version: 2 });
    expect(await appliedVersions(id)).toEqual([0, 1, 2]);
  });

  it('holds back early versions and applies v2, v1, v0 as 0, 1, 2', async () => {
    const id = randomUUID();
    await harness.publish('ticket:updated', ticketAt(id, 2));
    await harness.publish('ticket:updated', ticketAt(id, 1));
    await harness.publish('ticket:created', createdAt0(id));

    await waitFor(async () => (await readTicket(database.db, id))?.version === 2, { what: 'version 2 applied' });
    expect(await readTicket(database.db, id)).toMatchObject({ title: 'v2', priceCents: 1_200, version: 2 });
    expect(await appliedVersions(id)).toEqual([0, 1, 2]);
  });

  it('holds back a version that skips one until the missing one is applied', async () => {
    const id = await listTicket();
    const early = await harness.publish('ticket:updated', ticketAt(id, 2));
    await waitUntilDelivered(3);
    expect(await readTicket(database.db, id)).toMatchObject({ version: 0 });

    await harness.publish('ticket:updated', ticketAt(id, 1));
    await harness.settled(early.type);
    expect(await appliedVersions(id)).toEqual([0, 1, 2]);
  });

  it('holds back an update for a ticket it has not seen created yet', async () => {
    const id = randomUUID();
    const early = await harness.publish('ticket:updated', ticketAt(id, 1));
    await waitUntilDelivered(2);
    expect(await readTicket(database.db, id)).toBeUndefined();

    await harness.publish('ticket:created', createdAt0(id));
    await harness.settled(early.type);
    expect(await appliedVersions(id)).toEqual([0, 1]);
  });

  it('applies a window of updates together, each ticket its own, and several versions of one ticket in stream order', async () => {
    const handleBatch = jest.spyOn(ticketUpdated, 'handleBatch');
    try {
      const ids = await Promise.all(Array.from({ length: 6 }, () => listTicket()));
      const twice = ids[0]!;
      await Promise.all([...ids.map((id) => harness.publish('ticket:updated', ticketAt(id, 1))), harness.publish('ticket:updated', ticketAt(twice, 2))]);
      await harness.settled('ticket:updated');

      for (const id of ids.slice(1)) expect(await readTicket(database.db, id)).toMatchObject({ title: 'v1', priceCents: 1_100, version: 1 });
      expect(await readTicket(database.db, twice)).toMatchObject({ title: 'v2', version: 2 });
      expect(await appliedVersions(twice)).toEqual([0, 1, 2]);
      expect(handleBatch.mock.calls.some(([events]) => events.length > 1)).toBe(true);
    } finally {
      handleBatch.mockRestore();
    }
  });
});

/** Waits until the ticket:updated consumer has made `deliveries` deliveries (retries included). */
async function waitUntilDelivered(deliveries: number) {
  await waitFor(
    async () => (await harness.bus.jsm.consumers.info(harness.bus.stream, 'orders-ticket-updated')).delivered.consumer_seq >= deliveries,
    { what: `${deliveries} ticket:updated deliveries` },
  );
}

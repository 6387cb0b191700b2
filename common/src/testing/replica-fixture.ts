import { integer, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/**
 * The replica table of common's own tests (testing/fixture-migrations): an aggregate copied
 * from another service, with a tombstone for its deletion.
 */
export const replicaItems = pgTable('replica_items', {
  id: uuid('id').primaryKey(),
  title: text('title').notNull(),
  version: integer('version').notNull(),
  deletedAt: timestamp('deleted_at', { withTimezone: true }),
});

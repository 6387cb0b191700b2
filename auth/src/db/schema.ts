import path from 'node:path';
import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
import { pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

export const users = pgTable('users', {
  id: uuid('id').primaryKey().defaultRandom(),
  /** Trimmed and lower-cased before it gets here; the unique constraint makes one account per address, even under concurrent sign-ups. */
  email: text('email').notNull().unique('users_email_unique'),
  /** A PHC string (`$scrypt$ln=…,r=…,p=…$salt$hash`): the parameters travel with the hash so they can be raised later. */
  passwordHash: text('password_hash').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

export const schema = { users };
export type AuthSchema = typeof schema;
export type AuthDb = NodePgDatabase<typeof schema>;

export const migrationsFolder = path.join(__dirname, '../../drizzle'); // same from src/ and dist/

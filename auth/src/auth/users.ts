import { eq } from 'drizzle-orm';
import { DrizzleQueryError } from 'drizzle-orm/errors';
import { isUniqueViolation } from '@microtick/common';
import { users, type AuthDb } from '../db/schema';

export type User = typeof users.$inferSelect;

/** Raised when the email already has an account (found by the unique constraint, not a prior read). */
export class EmailTakenError extends Error {}

/**
 * drizzle wraps driver errors in one whose message lists the query's parameters, which here
 * include a password hash; pass on the driver's error instead so logs never carry it.
 */
function withoutParameters(err: unknown): unknown {
  return err instanceof DrizzleQueryError && err.cause ? err.cause : err;
}

export async function insertUser(db: AuthDb, email: string, passwordHash: string): Promise<User> {
  try {
    const [user] = await db.insert(users).values({ email, passwordHash }).returning();
    if (!user) throw new Error('insert returned no row');
    return user;
  } catch (err) {
    const cause = withoutParameters(err);
    if (isUniqueViolation(cause, 'users_email_unique')) throw new EmailTakenError(email);
    throw cause;
  }
}

export async function findUserByEmail(db: AuthDb, email: string): Promise<User | undefined> {
  const [user] = await db.select().from(users).where(eq(users.email, email)).limit(1);
  return user;
}

export async function replacePasswordHash(db: AuthDb, id: string, passwordHash: string): Promise<void> {
  try {
    await db.update(users).set({ passwordHash }).where(eq(users.id, id));
  } catch (err) {
    throw withoutParameters(err);
  }
}

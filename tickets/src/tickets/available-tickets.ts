import type { DbExecutor } from '@microtick/common';
import { and, desc, isNull } from 'drizzle-orm';
import { tickets } from '../db/schema';

/**
 * Tickets nobody has reserved, newest first: a walk down the partial index
 * `tickets_available_newest_idx` (created_at desc, id desc where order_id is null), with no
 * sort and no reserved rows read. available-tickets.test.ts checks the plan with EXPLAIN.
 */
export const availableTickets = (db: DbExecutor, page: { limit: number; offset: number }) =>
  db
    .select()
    .from(tickets)
    // Under a waiting-list offer the ticket is not for sale either; offers are few, so the
    // planner still walks the index and filters them out.
    .where(and(isNull(tickets.orderId), isNull(tickets.waitlistOfferId)))
    .orderBy(desc(tickets.createdAt), desc(tickets.id))
    .limit(page.limit)
    .offset(page.offset);

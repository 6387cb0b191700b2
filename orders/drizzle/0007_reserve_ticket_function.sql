-- Written by hand (drizzle-kit does not model functions): create-order's first three statements
-- (orders/src/orders/reserve-ticket.ts) as ONE statement for the client. Each statement of a
-- pipelined transaction carries its own Sync, at which Postgres flushes its answers, and costs the
-- client a Query and an answer to parse: here one statement costs about what one round trip does
-- (bench/pipeline-cost.ts). Inside this VOLATILE function each statement still takes its own
-- snapshot (READ COMMITTED), after the one before has finished, exactly as when they were sent
-- one by one:
--   1. the buyer's order-limit lock (the same key as before, so replicas of either build serialise);
--   2. the ticket and the order inserted only when the ticket exists, is not the buyer's own and
--      the buyer holds fewer than p_max_live_orders unpaid orders (the count follows the lock);
--   3. the ticket's waiting-list lock, after the insert (which waits on the one-live-order index
--      for a transaction still ending the previous reservation): docs/waitlist.md.
-- One row: the ticket's columns (all null: no such ticket), the order's (all null: none inserted),
-- the waiting list's (all null: nobody ever joined it). A failure (the one-live-order index) is
-- the insert's own error.
CREATE FUNCTION orders_reserve_ticket(
  p_ticket_id uuid, p_user text, p_expires_at timestamptz, p_max_live_orders integer,
  OUT id uuid, OUT title text, OUT price_cents bigint, OUT user_id uuid, OUT version integer,
  OUT order_id uuid, OUT order_user_id uuid, OUT order_status order_status, OUT order_price_cents bigint,
  OUT order_expires_at timestamptz, OUT order_version integer, OUT order_created_at timestamptz,
  OUT waitlist_ticket_id uuid, OUT waitlist_version integer, OUT waitlist_offer_window_seconds integer
) LANGUAGE plpgsql VOLATILE AS $$
#variable_conflict use_column
BEGIN
  PERFORM pg_advisory_xact_lock(hashtextextended('orders:live:' || p_user, 0));

  WITH ticket AS (
    SELECT t.id, t.title, t.price_cents, t.user_id, t.version FROM tickets_replica t WHERE t.id = p_ticket_id
  ), placed AS (
    INSERT INTO orders (user_id, ticket_id, status, price_cents, expires_at)
    SELECT p_user::uuid, ticket.id, 'created', ticket.price_cents, p_expires_at FROM ticket
    WHERE ticket.user_id <> p_user::uuid
      AND (SELECT count(*) FROM orders o WHERE o.user_id = p_user::uuid AND o.status IN ('created', 'awaiting:payment')) < p_max_live_orders
    RETURNING orders.id, orders.user_id, orders.status, orders.price_cents, orders.expires_at, orders.version, orders.created_at
  )
  SELECT ticket.id, ticket.title, ticket.price_cents, ticket.user_id, ticket.version,
         placed.id, placed.user_id, placed.status, placed.price_cents, placed.expires_at, placed.version, placed.created_at
  INTO id, title, price_cents, user_id, version,
       order_id, order_user_id, order_status, order_price_cents, order_expires_at, order_version, order_created_at
  FROM ticket LEFT JOIN placed ON true;

  SELECT w.ticket_id, w.version, w.offer_window_seconds
  INTO waitlist_ticket_id, waitlist_version, waitlist_offer_window_seconds
  FROM waitlists w WHERE w.ticket_id = p_ticket_id FOR UPDATE;
END
$$;

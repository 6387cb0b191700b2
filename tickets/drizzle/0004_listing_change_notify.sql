-- Written by hand (drizzle-kit does not model triggers): every statement that changes tickets
-- NOTIFYs 'microtick_tickets_changed', delivered when its transaction commits (once per
-- transaction: Postgres folds identical notifications), to every tickets process that LISTENs,
-- so their listing caches drop what they hold whichever replica, listener or SQL session wrote
-- (docs/listing-cache.md). Per statement, not per row: a listener's batch or a bulk UPDATE
-- costs one notification.
CREATE FUNCTION tickets_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('microtick_tickets_changed', '');
  RETURN NULL;
END;
$$;--> statement-breakpoint
CREATE TRIGGER tickets_notify_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "tickets" FOR EACH STATEMENT EXECUTE FUNCTION tickets_notify_change();

-- Wakes the OutboxRelay when a transaction that staged events commits (NOTIFY is delivered at
-- commit, once per transaction): the writer needs no extra statement.
CREATE FUNCTION microtick_outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('microtick_outbox', '');
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER outbox_notify AFTER INSERT ON outbox FOR EACH STATEMENT EXECUTE FUNCTION microtick_outbox_notify();

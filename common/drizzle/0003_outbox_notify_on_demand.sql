-- The outbox's NOTIFY is no longer sent by a trigger on every insert: the relays publish the
-- events their own process commits (publishOnCommit) and no longer LISTEN, yet every staging
-- transaction paid for the NOTIFY (~40-80 us of Postgres CPU, and a cluster-wide lock taken at
-- its commit). addToOutbox now sends it itself, only when no relay of the writer's pool
-- publishes its events at commit (a relay that claims every row, publishOnCommit: false).
DROP TRIGGER IF EXISTS outbox_notify ON outbox;--> statement-breakpoint
DROP FUNCTION IF EXISTS microtick_outbox_notify();

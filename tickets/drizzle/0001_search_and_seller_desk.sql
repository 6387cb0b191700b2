-- Title search (GET /api/tickets?q=): trigram matching on the title folded to lower case without
-- accents. Both extensions ship in PostgreSQL's contrib and are "trusted" (PG 13+), so the
-- database's owner creates them without superuser rights.
CREATE EXTENSION IF NOT EXISTS unaccent;--> statement-breakpoint
CREATE EXTENSION IF NOT EXISTS pg_trgm;--> statement-breakpoint
-- unaccent() is only STABLE (its dictionary could change), so it cannot be indexed; this wrapper
-- names the dictionary and is declared IMMUTABLE, which holds as long as nobody edits unaccent.rules.
-- Queries fold their search words with the same function, so both sides always agree.
CREATE FUNCTION ticket_search_text(title text) RETURNS text
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  RETURN lower(public.unaccent('public.unaccent'::regdictionary, title));--> statement-breakpoint
CREATE INDEX "tickets_available_price_idx" ON "tickets" USING btree ("price_cents","id") WHERE "tickets"."order_id" is null;--> statement-breakpoint
CREATE INDEX "tickets_available_title_search_idx" ON "tickets" USING gin (ticket_search_text("title") gin_trgm_ops) WHERE "tickets"."order_id" is null;--> statement-breakpoint
CREATE INDEX "tickets_seller_newest_idx" ON "tickets" USING btree ("user_id","created_at" DESC NULLS FIRST,"id" DESC NULLS FIRST);
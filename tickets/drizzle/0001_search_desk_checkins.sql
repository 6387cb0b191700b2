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
CREATE TABLE "checkins" (
	"ticket_id" uuid PRIMARY KEY NOT NULL,
	"order_id" uuid NOT NULL,
	"checked_in_by" uuid NOT NULL,
	"checked_in_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "search_title" text GENERATED ALWAYS AS (ticket_search_text(title)) STORED NOT NULL;--> statement-breakpoint
ALTER TABLE "checkins" ADD CONSTRAINT "checkins_ticket_id_tickets_id_fk" FOREIGN KEY ("ticket_id") REFERENCES "public"."tickets"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "tickets_available_price_idx" ON "tickets" USING btree ("price_cents","id") WHERE "tickets"."order_id" is null;--> statement-breakpoint
CREATE INDEX "tickets_available_title_search_idx" ON "tickets" USING gin ("search_title" gin_trgm_ops) WHERE "tickets"."order_id" is null;--> statement-breakpoint
CREATE INDEX "tickets_seller_newest_idx" ON "tickets" USING btree ("user_id","created_at" DESC NULLS FIRST,"id" DESC NULLS FIRST);
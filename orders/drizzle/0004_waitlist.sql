CREATE TYPE "public"."waitlist_entry_status" AS ENUM('waiting', 'offered', 'expired', 'ended');--> statement-breakpoint
CREATE TABLE "waitlist_entries" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"ticket_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"seq" bigint GENERATED ALWAYS AS IDENTITY (sequence name "waitlist_entries_seq_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"status" "waitlist_entry_status" DEFAULT 'waiting' NOT NULL,
	"position" integer NOT NULL,
	"offer_expires_at" timestamp with time zone,
	"joined_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "waitlists" (
	"ticket_id" uuid PRIMARY KEY NOT NULL,
	"version" integer DEFAULT 0 NOT NULL,
	"offer_window_seconds" integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE "waitlist_entries" ADD CONSTRAINT "waitlist_entries_ticket_id_tickets_id_fk" FOREIGN KEY ("ticket_id") REFERENCES "public"."tickets"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "waitlists" ADD CONSTRAINT "waitlists_ticket_id_tickets_id_fk" FOREIGN KEY ("ticket_id") REFERENCES "public"."tickets"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "waitlist_entries_one_active_per_user" ON "waitlist_entries" USING btree ("ticket_id","user_id") WHERE status in ('waiting', 'offered');--> statement-breakpoint
CREATE UNIQUE INDEX "waitlist_entries_one_offer_per_ticket" ON "waitlist_entries" USING btree ("ticket_id") WHERE status = 'offered';--> statement-breakpoint
CREATE INDEX "waitlist_entries_line_idx" ON "waitlist_entries" USING btree ("ticket_id","seq") WHERE status in ('waiting', 'offered');--> statement-breakpoint
CREATE INDEX "waitlist_entries_user_idx" ON "waitlist_entries" USING btree ("user_id","joined_at" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "waitlist_entries_offer_deadline_idx" ON "waitlist_entries" USING btree ("offer_expires_at") WHERE status = 'offered';--> statement-breakpoint
-- Written by hand (drizzle-kit does not model triggers): every change to an entry NOTIFYs
-- 'microtick_waitlist' with '<ticket id>:<user id>', delivered at commit, so the waiting-list
-- event streams (GET /api/orders/waitlist/events) refresh the entries of that user and of
-- everyone in that ticket's line (their positions moved).
CREATE FUNCTION microtick_waitlist_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    PERFORM pg_notify('microtick_waitlist', OLD.ticket_id::text || ':' || OLD.user_id::text);
  END IF;
  IF TG_OP <> 'DELETE' THEN
    PERFORM pg_notify('microtick_waitlist', NEW.ticket_id::text || ':' || NEW.user_id::text);
  END IF;
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE TRIGGER waitlist_entries_notify AFTER INSERT OR UPDATE OR DELETE ON waitlist_entries FOR EACH ROW EXECUTE FUNCTION microtick_waitlist_notify();

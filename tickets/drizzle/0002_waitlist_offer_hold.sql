ALTER TABLE "tickets" ADD COLUMN "waitlist_offer_id" uuid;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "waitlist_version" integer DEFAULT 0 NOT NULL;
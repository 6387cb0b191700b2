CREATE TYPE "public"."order_status" AS ENUM('created', 'awaiting:payment', 'complete', 'cancelled');--> statement-breakpoint
CREATE TABLE "orders" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"ticket_id" uuid NOT NULL,
	"status" "order_status" NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"version" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "tickets" (
	"id" uuid PRIMARY KEY NOT NULL,
	"title" text NOT NULL,
	"price_cents" bigint NOT NULL,
	"user_id" uuid NOT NULL,
	"version" integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE "orders" ADD CONSTRAINT "orders_ticket_id_tickets_id_fk" FOREIGN KEY ("ticket_id") REFERENCES "public"."tickets"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "orders_one_live_order_per_ticket" ON "orders" USING btree ("ticket_id") WHERE status <> 'cancelled';--> statement-breakpoint
CREATE INDEX "orders_user_newest_first_idx" ON "orders" USING btree ("user_id","created_at" DESC NULLS LAST);
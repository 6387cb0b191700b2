CREATE TYPE "public"."payment_status" AS ENUM('requires_action', 'authorized', 'captured', 'voided', 'failed');--> statement-breakpoint
CREATE TABLE "stripe_events" (
	"id" text PRIMARY KEY NOT NULL,
	"type" text NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "payments" DROP CONSTRAINT "payments_order_id_unique";--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "completed_by_payment_id" uuid;--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "status" "payment_status";--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "client_secret" text;--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "authorized_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "settled_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "settling_until" timestamp with time zone;--> statement-breakpoint
CREATE UNIQUE INDEX "payments_one_live_per_order" ON "payments" USING btree ("order_id") WHERE "payments"."status" in ('requires_action', 'authorized', 'captured');--> statement-breakpoint
CREATE INDEX "payments_order_idx" ON "payments" USING btree ("order_id");--> statement-breakpoint
-- Payments from before authorizations were immediate charges: kept ones count as captured; refunded
-- ones (the money went back) as voided, the nearest state in which the buyer paid nothing.
UPDATE "payments" SET "status" = CASE WHEN "refunded_at" IS NULL THEN 'captured'::"payment_status" ELSE 'voided'::"payment_status" END,
  "authorized_at" = "created_at", "settled_at" = COALESCE("refunded_at", "created_at");--> statement-breakpoint
ALTER TABLE "payments" ALTER COLUMN "status" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "payments" DROP COLUMN "refunded_at";--> statement-breakpoint
ALTER TABLE "payments" ADD CONSTRAINT "payments_stripe_id_unique" UNIQUE("stripe_id");
-- The price at order time. Orders placed before this migration take their ticket's current price
-- (the replica's; a reserved ticket cannot be edited, so for live orders it is the price they reserved).
ALTER TABLE "orders" ADD COLUMN "price_cents" bigint;--> statement-breakpoint
UPDATE "orders" SET "price_cents" = "tickets"."price_cents" FROM "tickets" WHERE "tickets"."id" = "orders"."ticket_id";--> statement-breakpoint
ALTER TABLE "orders" ALTER COLUMN "price_cents" SET NOT NULL;

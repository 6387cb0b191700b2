-- Replica tables are named <aggregate>s_replica in every service (docs/service-anatomy.md).
-- A rename, not drop + create: the rows and the orders and waiting lists referring to them are kept.
ALTER TABLE "tickets" RENAME TO "tickets_replica";--> statement-breakpoint
ALTER TABLE "tickets_replica" RENAME CONSTRAINT "tickets_pkey" TO "tickets_replica_pkey";--> statement-breakpoint
ALTER TABLE "orders" RENAME CONSTRAINT "orders_ticket_id_tickets_id_fk" TO "orders_ticket_id_tickets_replica_id_fk";--> statement-breakpoint
ALTER TABLE "waitlists" RENAME CONSTRAINT "waitlists_ticket_id_tickets_id_fk" TO "waitlists_ticket_id_tickets_replica_id_fk";--> statement-breakpoint
ALTER TABLE "waitlist_entries" RENAME CONSTRAINT "waitlist_entries_ticket_id_tickets_id_fk" TO "waitlist_entries_ticket_id_tickets_replica_id_fk";

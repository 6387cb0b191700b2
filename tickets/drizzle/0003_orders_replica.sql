-- Replica tables are named <aggregate>s_replica in every service (docs/service-anatomy.md).
-- A rename, not drop + create: the rows (what tickets knows of each order) are kept.
ALTER TABLE "order_replicas" RENAME TO "orders_replica";--> statement-breakpoint
ALTER TABLE "orders_replica" RENAME CONSTRAINT "order_replicas_pkey" TO "orders_replica_pkey";

ALTER TABLE "replica_items" ADD COLUMN "deleted_at" timestamp with time zone;

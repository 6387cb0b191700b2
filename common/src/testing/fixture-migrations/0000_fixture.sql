CREATE TABLE "replica_items" (
	"id" uuid PRIMARY KEY NOT NULL,
	"title" text NOT NULL,
	"version" integer NOT NULL
);

CREATE TABLE "event_attempts" (
	"consumer" text NOT NULL,
	"event_id" uuid NOT NULL,
	"waiting_since" timestamp with time zone,
	"wait_reason" text,
	"failures" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "event_attempts_consumer_event_id_pk" PRIMARY KEY("consumer","event_id")
);
--> statement-breakpoint
ALTER TABLE "dead_letters" ADD COLUMN "stream_sequence" bigint;--> statement-breakpoint
ALTER TABLE "dead_letters" ADD COLUMN "replay_requested_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "event_attempts_waiting_since_idx" ON "event_attempts" USING btree ("waiting_since");
CREATE TABLE "channel_messages" (
	"action_id" text NOT NULL,
	"target" text NOT NULL,
	"ref" jsonb NOT NULL,
	"created_at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "channel_messages_action_id_target_pk" PRIMARY KEY("action_id","target")
);
--> statement-breakpoint
CREATE TABLE "channel_receipts" (
	"key" text PRIMARY KEY NOT NULL,
	"received_at" timestamp (3) with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "reviewer_links" (
	"channel" text NOT NULL,
	"external_id" text NOT NULL,
	"reviewer" text NOT NULL,
	"created_at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "reviewer_links_channel_external_id_pk" PRIMARY KEY("channel","external_id")
);
--> statement-breakpoint
DROP INDEX "outbox_due_idx";--> statement-breakpoint
ALTER TABLE "outbox" ADD COLUMN "status" text DEFAULT 'pending' NOT NULL;--> statement-breakpoint
ALTER TABLE "outbox" ADD COLUMN "lease_until" timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "outbox" ADD COLUMN "in_doubt" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "outbox" ADD COLUMN "last_error" text;--> statement-breakpoint
CREATE INDEX "channel_receipts_received_idx" ON "channel_receipts" USING btree ("received_at");--> statement-breakpoint
CREATE INDEX "reviewer_links_reviewer_idx" ON "reviewer_links" USING btree ("reviewer");--> statement-breakpoint
CREATE INDEX "outbox_action_idx" ON "outbox" USING btree ("action_id","target","id");--> statement-breakpoint
CREATE INDEX "outbox_status_idx" ON "outbox" USING btree ("status","id");--> statement-breakpoint
CREATE INDEX "outbox_due_idx" ON "outbox" USING btree ("next_attempt_at") WHERE "outbox"."status" = 'pending';
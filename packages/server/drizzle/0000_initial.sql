CREATE TYPE "public"."action_status" AS ENUM('pending', 'approved', 'denied', 'rejected', 'expired', 'cancelled', 'succeeded', 'failed');--> statement-breakpoint
CREATE TABLE "actions" (
	"id" text PRIMARY KEY NOT NULL,
	"agent_id" text NOT NULL,
	"status" "action_status" NOT NULL,
	"version" integer NOT NULL,
	"idempotency_key" text,
	"digest" text NOT NULL,
	"document" jsonb NOT NULL,
	"created_at" timestamp (3) with time zone NOT NULL,
	"updated_at" timestamp (3) with time zone NOT NULL,
	"due_at" timestamp (3) with time zone
);
--> statement-breakpoint
CREATE TABLE "agents" (
	"id" text PRIMARY KEY NOT NULL,
	"owner" text NOT NULL,
	"labels" jsonb NOT NULL,
	"created_at" timestamp (3) with time zone NOT NULL,
	"revoked_at" timestamp (3) with time zone
);
--> statement-breakpoint
CREATE TABLE "audit_entries" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"seq" bigint,
	"ts" timestamp (3) with time zone NOT NULL,
	"type" text NOT NULL,
	"action_id" text,
	"actor" jsonb NOT NULL,
	"data" jsonb NOT NULL,
	"prev" text,
	"hash" text,
	CONSTRAINT "audit_entries_seq_unique" UNIQUE("seq")
);
--> statement-breakpoint
CREATE TABLE "audit_head" (
	"id" integer PRIMARY KEY NOT NULL,
	"seq" bigint NOT NULL,
	"hash" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "credentials" (
	"id" text PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"subject" text NOT NULL,
	"secret_hash" text NOT NULL,
	"created_at" timestamp (3) with time zone NOT NULL,
	"revoked_at" timestamp (3) with time zone
);
--> statement-breakpoint
CREATE TABLE "grants" (
	"jti" text PRIMARY KEY NOT NULL,
	"action_id" text NOT NULL,
	"agent_id" text NOT NULL,
	"kid" text NOT NULL,
	"claims" jsonb NOT NULL,
	"expires_at" timestamp (3) with time zone NOT NULL,
	"redeemed_at" timestamp (3) with time zone,
	CONSTRAINT "grants_action_id_unique" UNIQUE("action_id")
);
--> statement-breakpoint
CREATE TABLE "outbox" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"action_id" text NOT NULL,
	"target" text NOT NULL,
	"event" text NOT NULL,
	"payload" jsonb NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp (3) with time zone NOT NULL,
	"delivered_at" timestamp (3) with time zone,
	"created_at" timestamp (3) with time zone NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "actions_idempotency_idx" ON "actions" USING btree ("agent_id","idempotency_key");--> statement-breakpoint
CREATE INDEX "actions_due_idx" ON "actions" USING btree ("due_at") WHERE "actions"."status" = 'pending';--> statement-breakpoint
CREATE INDEX "actions_status_idx" ON "actions" USING btree ("status","id");--> statement-breakpoint
CREATE INDEX "actions_agent_idx" ON "actions" USING btree ("agent_id","id");--> statement-breakpoint
CREATE INDEX "audit_unchained_idx" ON "audit_entries" USING btree ("id") WHERE "audit_entries"."seq" is null;--> statement-breakpoint
CREATE INDEX "audit_action_idx" ON "audit_entries" USING btree ("action_id");--> statement-breakpoint
CREATE INDEX "credentials_subject_idx" ON "credentials" USING btree ("kind","subject");--> statement-breakpoint
CREATE INDEX "outbox_due_idx" ON "outbox" USING btree ("next_attempt_at") WHERE "outbox"."delivered_at" is null;
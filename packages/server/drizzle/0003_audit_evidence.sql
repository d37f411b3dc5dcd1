CREATE TABLE "audit_tree" (
	"level" smallint NOT NULL,
	"idx" bigint NOT NULL,
	"hash" text NOT NULL,
	CONSTRAINT "audit_tree_level_idx_pk" PRIMARY KEY("level","idx")
);
--> statement-breakpoint
CREATE TABLE "audit_witness" (
	"sink" text PRIMARY KEY NOT NULL,
	"checkpoint_id" bigint DEFAULT 0 NOT NULL,
	"delivered_at" timestamp (3) with time zone,
	"last_error" text
);
--> statement-breakpoint
CREATE INDEX "grants_kid_expiry_idx" ON "grants" USING btree ("kid","expires_at");
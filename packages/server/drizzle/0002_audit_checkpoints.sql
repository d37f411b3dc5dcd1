CREATE TABLE "audit_checkpoints" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"seq" bigint NOT NULL,
	"hash" text NOT NULL,
	"root" text NOT NULL,
	"ts" timestamp (3) with time zone NOT NULL,
	"kid" text NOT NULL,
	"sig" text NOT NULL
);
--> statement-breakpoint
ALTER TABLE "audit_head" ADD COLUMN "tree" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
CREATE INDEX "audit_checkpoints_seq_idx" ON "audit_checkpoints" USING btree ("seq");
ALTER TABLE "studies" ADD COLUMN "paused_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "studies" ADD COLUMN "stopped_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "studies" ADD COLUMN "stop_reason" text;--> statement-breakpoint
ALTER TABLE "study_sites" ADD COLUMN "consent" text DEFAULT 'pending' NOT NULL;--> statement-breakpoint
ALTER TABLE "study_sites" ADD COLUMN "consent_decided_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "study_sites" ADD COLUMN "consent_decided_by" text;--> statement-breakpoint
ALTER TABLE "study_sites" ADD COLUMN "consent_note" text;--> statement-breakpoint
-- Before consent existed, enrolling was taking part: existing memberships keep participating.
UPDATE "study_sites" SET "consent" = 'approved', "consent_decided_at" = "created_at", "consent_decided_by" = 'hub:migration-0004';--> statement-breakpoint
CREATE INDEX "audit_events_actor_idx" ON "audit_events" USING btree ("actor","seq");--> statement-breakpoint
ALTER TABLE "study_sites" ADD CONSTRAINT "study_sites_consent_ck" CHECK (consent in ('pending', 'approved', 'declined'));
CREATE TABLE "dealt_shares" (
	"study_id" uuid NOT NULL,
	"epoch" integer NOT NULL,
	"dealer_site_id" uuid NOT NULL,
	"recipient_site_id" uuid NOT NULL,
	"sealed" "bytea" NOT NULL,
	CONSTRAINT "dealt_shares_study_id_epoch_dealer_site_id_recipient_site_id_pk" PRIMARY KEY("study_id","epoch","dealer_site_id","recipient_site_id")
);
--> statement-breakpoint
CREATE TABLE "submission_chunks" (
	"round_id" uuid NOT NULL,
	"site_id" uuid NOT NULL,
	"chunk_index" integer NOT NULL,
	"ciphertext" "bytea" NOT NULL,
	CONSTRAINT "submission_chunks_round_id_site_id_chunk_index_pk" PRIMARY KEY("round_id","site_id","chunk_index")
);
--> statement-breakpoint
ALTER TABLE "decryption_shares" DROP CONSTRAINT "decryption_shares_round_id_site_id_pk";--> statement-breakpoint
ALTER TABLE "decryption_shares" ADD COLUMN "attempt" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "decryption_shares" ADD CONSTRAINT "decryption_shares_round_id_site_id_attempt_pk" PRIMARY KEY("round_id","site_id","attempt");--> statement-breakpoint
ALTER TABLE "rounds" ADD COLUMN "key_epoch" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "rounds" ADD COLUMN "decryptors" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "rounds" ADD COLUMN "decrypt_attempt" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "rounds" ADD COLUMN "attempt_deadline_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "rounds" ADD COLUMN "excluded_decryptors" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "studies" ADD COLUMN "key_epoch" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "studies" ADD COLUMN "committee" jsonb;--> statement-breakpoint
ALTER TABLE "studies" ADD COLUMN "threshold" integer;--> statement-breakpoint
ALTER TABLE "studies" ADD COLUMN "ceremony_started_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "study_sites" ADD COLUMN "box_public_key" "bytea";--> statement-breakpoint
ALTER TABLE "study_sites" ADD COLUMN "dealt_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "study_sites" ADD COLUMN "dealing_signature" text;--> statement-breakpoint
ALTER TABLE "study_sites" ADD COLUMN "confirmed_public_key_hash" text;--> statement-breakpoint
ALTER TABLE "dealt_shares" ADD CONSTRAINT "dealt_shares_study_id_studies_id_fk" FOREIGN KEY ("study_id") REFERENCES "public"."studies"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dealt_shares" ADD CONSTRAINT "dealt_shares_dealer_site_id_sites_id_fk" FOREIGN KEY ("dealer_site_id") REFERENCES "public"."sites"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dealt_shares" ADD CONSTRAINT "dealt_shares_recipient_site_id_sites_id_fk" FOREIGN KEY ("recipient_site_id") REFERENCES "public"."sites"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "submission_chunks" ADD CONSTRAINT "submission_chunks_round_id_rounds_id_fk" FOREIGN KEY ("round_id") REFERENCES "public"."rounds"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "submission_chunks" ADD CONSTRAINT "submission_chunks_site_id_sites_id_fk" FOREIGN KEY ("site_id") REFERENCES "public"."sites"("id") ON DELETE no action ON UPDATE no action;
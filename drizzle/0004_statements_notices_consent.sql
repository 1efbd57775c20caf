CREATE TABLE `notices` (
	`id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`event` enum('premium_paid_for_relative','premium_paid_by_family','premium_failed','medical_paid_for_relative','medical_refunded','premium_refunded') NOT NULL,
	`source_id` bigint unsigned NOT NULL,
	`person_id` int unsigned NOT NULL,
	`counterpart_id` int unsigned NOT NULL,
	`amount` bigint,
	`code` varchar(32) NOT NULL DEFAULT '',
	`created_at` timestamp NOT NULL DEFAULT (now()),
	CONSTRAINT `notices_id` PRIMARY KEY(`id`),
	CONSTRAINT `notices_event_uq` UNIQUE(`event`,`source_id`,`person_id`,`counterpart_id`,`code`)
);
--> statement-breakpoint
ALTER TABLE `bindings` ADD `premium_consent` boolean DEFAULT true NOT NULL;--> statement-breakpoint
CREATE INDEX `ledger_account_idx` ON `ledger_entries` (`account_id`,`id`);--> statement-breakpoint
CREATE INDEX `orders_person_idx` ON `premium_orders` (`person_id`);--> statement-breakpoint
CREATE INDEX `settlements_person_idx` ON `settlements` (`person_id`);
CREATE TABLE `campaign_premium_rules` (
	`campaign_id` int unsigned NOT NULL,
	`resident_category` enum('adult','minor','student','senior') NOT NULL,
	`subsidy_tier` varchar(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
	`admdvs_prefix` varchar(6) NOT NULL,
	`premium` bigint NOT NULL,
	CONSTRAINT `campaign_premium_rules_pk` PRIMARY KEY(`campaign_id`,`resident_category`,`subsidy_tier`,`admdvs_prefix`)
);
--> statement-breakpoint
CREATE TABLE `tax_receipts` (
	`id` int unsigned AUTO_INCREMENT NOT NULL,
	`receipt_no` varchar(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
	`psn_no` varchar(30) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
	`year` smallint unsigned NOT NULL,
	`amount` bigint NOT NULL,
	`channel` enum('family_account','other') NOT NULL,
	`paid_at` datetime NOT NULL,
	`campaign_id` int unsigned,
	`order_id` int unsigned,
	`outcome` enum('RECEIVED','AMOUNT_DIFFERS','UNKNOWN_ORDER','ALREADY_PAID','DOUBLE_PAID') NOT NULL,
	`detail` text,
	`imported_at` timestamp NOT NULL DEFAULT (now()),
	CONSTRAINT `tax_receipts_id` PRIMARY KEY(`id`),
	CONSTRAINT `tax_receipts_receipt_no_uq` UNIQUE(`receipt_no`)
);
--> statement-breakpoint
ALTER TABLE `premium_orders` MODIFY COLUMN `status` enum('pending','paid','failed','skipped','refunded') NOT NULL DEFAULT 'pending';--> statement-breakpoint
ALTER TABLE `persons` ADD `subsidy_tier` varchar(32) CHARACTER SET ascii COLLATE ascii_bin;--> statement-breakpoint
ALTER TABLE `premium_orders` ADD `subsidy_tier` varchar(32) CHARACTER SET ascii COLLATE ascii_bin;--> statement-breakpoint
ALTER TABLE `premium_orders` ADD `refunded_at` datetime;--> statement-breakpoint
ALTER TABLE `premium_orders` ADD `handed_off_at` datetime;--> statement-breakpoint
CREATE INDEX `tax_receipts_campaign_idx` ON `tax_receipts` (`campaign_id`,`outcome`);--> statement-breakpoint
CREATE INDEX `tax_receipts_order_idx` ON `tax_receipts` (`order_id`);
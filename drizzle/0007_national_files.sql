CREATE TABLE `recon_totals_files` (
	`id` int unsigned AUTO_INCREMENT NOT NULL,
	`business_date` date NOT NULL,
	`fixmedins_code` varchar(30) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
	`file_name` varchar(64) NOT NULL,
	`sha256` varchar(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
	`archived_name` varchar(80) NOT NULL,
	`encoding` enum('utf-8','gb18030') NOT NULL,
	`lines` mediumtext NOT NULL,
	`created_at` timestamp NOT NULL DEFAULT (now()),
	CONSTRAINT `recon_totals_files_id` PRIMARY KEY(`id`),
	CONSTRAINT `recon_totals_files_version_uq` UNIQUE(`business_date`,`fixmedins_code`,`sha256`)
);
--> statement-breakpoint
DROP INDEX `settlements_day_institution_idx` ON `settlements`;--> statement-breakpoint
ALTER TABLE `settlements` ADD `fund_pay_sumamt` bigint;--> statement-breakpoint
ALTER TABLE `settlements` ADD `insutype` varchar(6) CHARACTER SET ascii COLLATE ascii_bin;--> statement-breakpoint
ALTER TABLE `settlements` ADD `clr_type` varchar(10) CHARACTER SET ascii COLLATE ascii_bin;--> statement-breakpoint
ALTER TABLE `recon_files` ADD `format` enum('csv','3202.txt','3202.zip','3201.txt') DEFAULT 'csv' NOT NULL;--> statement-breakpoint
CREATE INDEX `settlements_day_institution_idx` ON `settlements` (`business_date`,`fixmedins_code`,`setl_id`,`psn_no`,`acct_pay`,`acct_mulaid_pay`,`medfee_sumamt`,`fund_pay_sumamt`);
CREATE TABLE `accounts` (
	`person_id` int unsigned NOT NULL,
	`balance` bigint NOT NULL,
	`opening_balance` bigint NOT NULL,
	`imported_balance` bigint NOT NULL,
	`adjustments` int unsigned NOT NULL DEFAULT 0,
	CONSTRAINT `accounts_person_id` PRIMARY KEY(`person_id`),
	CONSTRAINT `accounts_balance_nonnegative` CHECK(`accounts`.`balance` >= 0)
);
--> statement-breakpoint
CREATE TABLE `bindings` (
	`beneficiary_id` int unsigned NOT NULL,
	`payer_id` int unsigned NOT NULL,
	`relationship` enum('spouse','parent','child','sibling','grandparent','maternal_grandparent','grandchild','maternal_grandchild','other') NOT NULL,
	`priority` smallint unsigned NOT NULL,
	`bound_at` datetime NOT NULL,
	`revoked_at` datetime,
	CONSTRAINT `bindings_pk` PRIMARY KEY(`beneficiary_id`,`payer_id`)
);
--> statement-breakpoint
CREATE TABLE `persons` (
	`id` int unsigned AUTO_INCREMENT NOT NULL,
	`psn_no` varchar(30) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
	`id_number` char(18) NOT NULL,
	`name` varchar(100) NOT NULL,
	`insutype` enum('310','390') NOT NULL,
	`admdvs` char(6) NOT NULL,
	`status` enum('active','suspended','terminated') NOT NULL,
	`resident_category` enum('adult','minor','student','senior','exempt'),
	`updated_at` timestamp NOT NULL DEFAULT (now()) ON UPDATE CURRENT_TIMESTAMP,
	CONSTRAINT `persons_id` PRIMARY KEY(`id`),
	CONSTRAINT `persons_psn_no_uq` UNIQUE(`psn_no`)
);
--> statement-breakpoint
CREATE TABLE `institutions` (
	`id` int unsigned AUTO_INCREMENT NOT NULL,
	`fixmedins_code` varchar(30) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
	`name` varchar(200) NOT NULL,
	`type` enum('pharmacy','hospital') NOT NULL,
	`admdvs` char(6) NOT NULL,
	`designated` boolean NOT NULL,
	CONSTRAINT `institutions_id` PRIMARY KEY(`id`),
	CONSTRAINT `institutions_code_uq` UNIQUE(`fixmedins_code`)
);
--> statement-breakpoint
CREATE TABLE `credits` (
	`id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`credit_id` varchar(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
	`person_id` int unsigned NOT NULL,
	`amount` bigint NOT NULL,
	`credited_at` datetime NOT NULL,
	CONSTRAINT `credits_id` PRIMARY KEY(`id`),
	CONSTRAINT `credits_credit_id_uq` UNIQUE(`credit_id`)
);
--> statement-breakpoint
CREATE TABLE `ledger_entries` (
	`id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`idem_key` varchar(48) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
	`account_id` int unsigned NOT NULL,
	`kind` enum('debit','credit','adjustment','refund') NOT NULL,
	`amount` bigint NOT NULL,
	`order_id` int unsigned,
	`settlement_id` bigint unsigned,
	`credit_id` bigint unsigned,
	`created_at` timestamp(3) NOT NULL DEFAULT (now()),
	CONSTRAINT `ledger_entries_id` PRIMARY KEY(`id`),
	CONSTRAINT `ledger_idem_key_uq` UNIQUE(`idem_key`)
);
--> statement-breakpoint
CREATE TABLE `campaign_runs` (
	`id` int unsigned AUTO_INCREMENT NOT NULL,
	`campaign_id` int unsigned NOT NULL,
	`kind` enum('run','retry') NOT NULL,
	`params` text,
	`requested_by` varchar(64) NOT NULL,
	`created_at` timestamp NOT NULL DEFAULT (now()),
	`finished_at` timestamp,
	`summary` text,
	CONSTRAINT `campaign_runs_id` PRIMARY KEY(`id`)
);
--> statement-breakpoint
CREATE TABLE `campaigns` (
	`id` int unsigned AUTO_INCREMENT NOT NULL,
	`year` smallint unsigned NOT NULL,
	`province` char(2) NOT NULL,
	`window_start` date NOT NULL,
	`window_end` date NOT NULL,
	`mode` enum('single','split') NOT NULL,
	`premium_adult` bigint NOT NULL,
	`premium_minor` bigint NOT NULL,
	`premium_student` bigint NOT NULL,
	`premium_senior` bigint NOT NULL,
	`created_at` timestamp NOT NULL DEFAULT (now()),
	CONSTRAINT `campaigns_id` PRIMARY KEY(`id`),
	CONSTRAINT `campaigns_year_province_uq` UNIQUE(`year`,`province`)
);
--> statement-breakpoint
CREATE TABLE `premium_orders` (
	`id` int unsigned AUTO_INCREMENT NOT NULL,
	`campaign_id` int unsigned NOT NULL,
	`person_id` int unsigned NOT NULL,
	`psn_no` varchar(30) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
	`resident_category` enum('adult','minor','student','senior') NOT NULL,
	`premium` bigint NOT NULL,
	`status` enum('pending','paid','failed','skipped') NOT NULL DEFAULT 'pending',
	`failure_code` varchar(32),
	`detail` text,
	`attempts` int unsigned NOT NULL DEFAULT 0,
	`planned_at` datetime NOT NULL,
	`charged_at` datetime,
	CONSTRAINT `premium_orders_id` PRIMARY KEY(`id`),
	CONSTRAINT `orders_campaign_person_uq` UNIQUE(`campaign_id`,`person_id`)
);
--> statement-breakpoint
CREATE TABLE `settlements` (
	`id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`setl_id` varchar(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
	`mdtrt_id` varchar(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin,
	`person_id` int unsigned NOT NULL,
	`psn_no` varchar(30) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
	`institution_id` int unsigned NOT NULL,
	`fixmedins_code` varchar(30) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
	`setl_time` datetime NOT NULL,
	`business_date` date NOT NULL,
	`medfee_sumamt` bigint NOT NULL,
	`personal_burden` bigint NOT NULL,
	`acct_pay` bigint NOT NULL,
	`acct_mulaid_pay` bigint NOT NULL,
	`cash_pay` bigint NOT NULL,
	`orig_settlement_id` bigint unsigned,
	CONSTRAINT `settlements_id` PRIMARY KEY(`id`),
	CONSTRAINT `settlements_setl_id_uq` UNIQUE(`setl_id`),
	CONSTRAINT `settlements_orig_uq` UNIQUE(`orig_settlement_id`)
);
--> statement-breakpoint
CREATE TABLE `operator_actions` (
	`id` int unsigned AUTO_INCREMENT NOT NULL,
	`operator` varchar(64) NOT NULL,
	`source` enum('cli','api') NOT NULL,
	`action` varchar(32) NOT NULL,
	`params` text NOT NULL,
	`campaign_run_id` int unsigned,
	`orders_touched` int unsigned,
	`created_at` timestamp NOT NULL DEFAULT (now()),
	`finished_at` timestamp,
	CONSTRAINT `operator_actions_id` PRIMARY KEY(`id`)
);
--> statement-breakpoint
CREATE TABLE `schedule_runs` (
	`id` int unsigned AUTO_INCREMENT NOT NULL,
	`schedule` enum('recon','campaign') NOT NULL,
	`tick` datetime NOT NULL,
	`fired_by` enum('cron','catch-up') NOT NULL,
	`job_id` varchar(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
	`created_at` timestamp NOT NULL DEFAULT (now()),
	`finished_at` timestamp,
	`summary` text,
	CONSTRAINT `schedule_runs_id` PRIMARY KEY(`id`),
	CONSTRAINT `schedule_runs_tick_uq` UNIQUE(`schedule`,`tick`)
);
--> statement-breakpoint
CREATE TABLE `recon_days` (
	`business_date` date NOT NULL,
	`runs` int unsigned NOT NULL DEFAULT 0,
	`last_run_at` timestamp NOT NULL DEFAULT (now()),
	`summary` text,
	CONSTRAINT `recon_days_business_date` PRIMARY KEY(`business_date`)
);
--> statement-breakpoint
CREATE TABLE `recon_files` (
	`id` int unsigned AUTO_INCREMENT NOT NULL,
	`business_date` date NOT NULL,
	`fixmedins_code` varchar(30) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
	`file_name` varchar(64) NOT NULL,
	`sha256` varchar(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
	`archived_name` varchar(80) NOT NULL,
	`status` enum('processing','done') NOT NULL,
	`encoding` enum('utf-8','gb18030') NOT NULL,
	`row_count` int unsigned NOT NULL DEFAULT 0,
	`matched` int unsigned NOT NULL DEFAULT 0,
	`amount_mismatch` int unsigned NOT NULL DEFAULT 0,
	`wrong_payee` int unsigned NOT NULL DEFAULT 0,
	`missing_in_ledger` int unsigned NOT NULL DEFAULT 0,
	`duplicate_row` int unsigned NOT NULL DEFAULT 0,
	`invalid_row` int unsigned NOT NULL DEFAULT 0,
	`reported_ids` mediumblob,
	`reported_count` int unsigned NOT NULL DEFAULT 0,
	`started_at` timestamp NOT NULL DEFAULT (now()),
	`finished_at` timestamp,
	CONSTRAINT `recon_files_id` PRIMARY KEY(`id`),
	CONSTRAINT `recon_files_version_uq` UNIQUE(`business_date`,`fixmedins_code`,`sha256`)
);
--> statement-breakpoint
CREATE TABLE `recon_latest_files` (
	`business_date` date NOT NULL,
	`fixmedins_code` varchar(30) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
	`file_id` int unsigned NOT NULL,
	CONSTRAINT `recon_latest_files_pk` PRIMARY KEY(`business_date`,`fixmedins_code`)
);
--> statement-breakpoint
CREATE TABLE `recon_outcomes` (
	`id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`business_date` date NOT NULL,
	`fixmedins_code` varchar(30) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
	`file_id` int unsigned,
	`row_no` int unsigned,
	`setl_id` mediumtext CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
	`code` enum('MATCHED','AMOUNT_MISMATCH','WRONG_PAYEE','MISSING_IN_LEDGER','MISSING_IN_FILE','DUPLICATE_ROW','INVALID_ROW') NOT NULL,
	`file_acct_pay` bigint,
	`file_acct_mulaid_pay` bigint,
	`settlement_id` bigint unsigned,
	`ledger_acct_pay` bigint,
	`ledger_acct_mulaid_pay` bigint,
	`detail` text NOT NULL,
	CONSTRAINT `recon_outcomes_id` PRIMARY KEY(`id`)
);
--> statement-breakpoint
CREATE INDEX `bindings_payer_idx` ON `bindings` (`payer_id`);--> statement-breakpoint
CREATE INDEX `ledger_order_idx` ON `ledger_entries` (`order_id`);--> statement-breakpoint
CREATE INDEX `ledger_settlement_idx` ON `ledger_entries` (`settlement_id`);--> statement-breakpoint
CREATE INDEX `orders_campaign_status_idx` ON `premium_orders` (`campaign_id`,`status`,`failure_code`);--> statement-breakpoint
CREATE INDEX `orders_campaign_psn_idx` ON `premium_orders` (`campaign_id`,`psn_no`);--> statement-breakpoint
CREATE INDEX `settlements_day_institution_idx` ON `settlements` (`business_date`,`fixmedins_code`,`setl_id`);--> statement-breakpoint
CREATE INDEX `operator_actions_run_idx` ON `operator_actions` (`campaign_run_id`);--> statement-breakpoint
CREATE INDEX `recon_outcomes_file_row_idx` ON `recon_outcomes` (`file_id`,`row_no`);--> statement-breakpoint
CREATE INDEX `recon_outcomes_day_idx` ON `recon_outcomes` (`business_date`,`fixmedins_code`,`file_id`);
CREATE TABLE `admin_sessions` (
	`id_hash` varchar(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
	`token_id` int unsigned,
	`operator` varchar(64) NOT NULL,
	`role` enum('viewer','operator') NOT NULL,
	`csrf_token` varchar(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
	`created_at` timestamp NOT NULL DEFAULT (now()),
	`expires_at` timestamp NOT NULL,
	CONSTRAINT `admin_sessions_id_hash` PRIMARY KEY(`id_hash`)
);
--> statement-breakpoint
CREATE TABLE `operator_tokens` (
	`id` int unsigned AUTO_INCREMENT NOT NULL,
	`name` varchar(64) NOT NULL,
	`role` enum('viewer','operator') NOT NULL,
	`token_hash` varchar(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
	`created_at` timestamp NOT NULL DEFAULT (now()),
	`revoked_at` timestamp,
	CONSTRAINT `operator_tokens_id` PRIMARY KEY(`id`),
	CONSTRAINT `operator_tokens_hash_uq` UNIQUE(`token_hash`),
	CONSTRAINT `operator_tokens_name_uq` UNIQUE(`name`)
);
--> statement-breakpoint
ALTER TABLE `operator_actions` MODIFY COLUMN `source` enum('cli','api','console') NOT NULL;--> statement-breakpoint
CREATE INDEX `admin_sessions_token_idx` ON `admin_sessions` (`token_id`);
CREATE TABLE `ledger_account_checkpoints` (
	`account_id` int unsigned NOT NULL,
	`entries` int unsigned NOT NULL,
	`total` bigint NOT NULL,
	`balance` bigint NOT NULL,
	CONSTRAINT `ledger_account_checkpoints_account_id` PRIMARY KEY(`account_id`)
);
--> statement-breakpoint
CREATE TABLE `ledger_checkpoint` (
	`id` tinyint unsigned NOT NULL,
	`through_entry_id` bigint unsigned NOT NULL,
	`max_order_id` int unsigned NOT NULL,
	`max_settlement_id` bigint unsigned NOT NULL,
	`entries` bigint unsigned NOT NULL,
	`verified_at` timestamp(3) NOT NULL DEFAULT (now()),
	CONSTRAINT `ledger_checkpoint_id` PRIMARY KEY(`id`)
);

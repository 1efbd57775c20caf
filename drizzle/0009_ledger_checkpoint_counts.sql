ALTER TABLE `ledger_checkpoint` ADD `orders` int unsigned DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `ledger_checkpoint` ADD `settlements` bigint unsigned DEFAULT 0 NOT NULL;--> statement-breakpoint
UPDATE `ledger_checkpoint` SET `entries` = (SELECT COUNT(*) FROM `ledger_entries` WHERE `id` <= `through_entry_id`),
  `orders` = (SELECT COUNT(*) FROM `premium_orders` WHERE `id` <= `max_order_id`),
  `settlements` = (SELECT COUNT(*) FROM `settlements` WHERE `id` <= `max_settlement_id`);

DROP INDEX `orders_campaign_status_idx` ON `premium_orders`;--> statement-breakpoint
CREATE INDEX `orders_campaign_status_idx` ON `premium_orders` (`campaign_id`,`status`,`failure_code`,`premium`);
ALTER TABLE `recon_files` ADD `day_settlements` int unsigned;--> statement-breakpoint
ALTER TABLE `recon_files` ADD `unreported_ids` mediumblob;
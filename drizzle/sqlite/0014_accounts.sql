CREATE TABLE `password_reset_tokens` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`token_hash` text NOT NULL,
	`user_id` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `password_reset_tokens_token_hash_unique` ON `password_reset_tokens` (`token_hash`);--> statement-breakpoint
CREATE INDEX `password_reset_tokens_user_id_idx` ON `password_reset_tokens` (`user_id`);--> statement-breakpoint
ALTER TABLE `users` ADD `last_sign_in_at` integer;--> statement-breakpoint
-- The reset form says whether a link still works: kept pages move when a link is made or used.
CREATE TRIGGER `password_reset_tokens_changed_insert` AFTER INSERT ON `password_reset_tokens` BEGIN UPDATE `cascade_changes` SET `counter` = `counter` + 1 WHERE `id` = 1; END;--> statement-breakpoint
CREATE TRIGGER `password_reset_tokens_changed_update` AFTER UPDATE ON `password_reset_tokens` BEGIN UPDATE `cascade_changes` SET `counter` = `counter` + 1 WHERE `id` = 1; END;--> statement-breakpoint
CREATE TRIGGER `password_reset_tokens_changed_delete` AFTER DELETE ON `password_reset_tokens` BEGIN UPDATE `cascade_changes` SET `counter` = `counter` + 1 WHERE `id` = 1; END;--> statement-breakpoint
-- Accounts older than this column are taken as signed in (when is unknown): an upgraded instance is not new, and its sign-in page shows no first-password hint.
UPDATE `users` SET `last_sign_in_at` = `created_at`;
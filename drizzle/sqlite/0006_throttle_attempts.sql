CREATE TABLE `throttle_attempts` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`key` text NOT NULL,
	`at` integer NOT NULL,
	`expires_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `throttle_attempts_key_at_idx` ON `throttle_attempts` (`key`,`at`);--> statement-breakpoint
CREATE INDEX `throttle_attempts_expires_at_idx` ON `throttle_attempts` (`expires_at`);
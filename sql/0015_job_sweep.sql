-- The job engine's durable wake-up is one reminder for the cluster (`job-sweep`, JobSweeperGrain), where
-- each unfinished job used to hold its own (`job-watchdog`): those rows are removed. A job of an older
-- release that is still unfinished is found by the sweep in the `jobs` table; a watchdog that an older
-- silo registers during a rolling upgrade removes itself at its first tick.
DELETE FROM reminders WHERE remindername = 'job-watchdog';

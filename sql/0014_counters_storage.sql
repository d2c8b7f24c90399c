-- counters rows are few and change on nearly every write: leave room on each page for their new
-- versions (HOT updates stay on the page and are pruned there), and vacuum the table as soon as a
-- thousand versions are dead instead of waiting for a fifth of a table that never grows.
ALTER TABLE counters SET (fillfactor = 50, autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 1000,
                          autovacuum_analyze_scale_factor = 0, autovacuum_analyze_threshold = 1000);

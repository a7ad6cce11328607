-- The durable-by-hand baseline builds inbound_events from larkway's V2, V7 and V19 only (bench/webhook.sh). larkway
-- dropped V2's ix_inbound_accepted_at in V10 (and the index V10 made instead in V17), so it is dropped here too: both
-- write the same indexes for each event (the primary key, uq_inbound_dedupe, ix_inbound_pending).
DROP INDEX ix_inbound_accepted_at;

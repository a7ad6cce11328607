-- The durable-by-hand baseline builds inbound_events from larkway's V2, V7 and V19 only (bench/webhook.sh). larkway
-- dropped V2's ix_inbound_accepted_at in V10 (and the index V10 made instead in V17), so it is dropped here too: both
-- write three B-trees for each event: here the primary key, uq_inbound_dedupe and ix_inbound_pending; larkway (since
-- V20) the event's primary key, uq_inbound_dedupe and its claim's primary key in inbox_claims.
DROP INDEX ix_inbound_accepted_at;

-- Status shows an integration's last delivery: with this index it reads one entry, not every row the
-- integration kept for the dedupe retention (24 h). The hourly purge finds old finished events
-- through ix_inbound_pending (state, claimed_until) instead of an index of its own.
DROP INDEX ix_inbound_accepted_at;
CREATE INDEX ix_inbound_last_delivery ON inbound_events (integration_id, accepted_at DESC);

-- Status's last delivery of an integration, kept here by each instance's Status counter flush (larkway.counters-flush-ms)
-- instead of read from inbound_events through ix_inbound_last_delivery. That index cost every accepted event one more
-- B-tree insert (with 1 000 integrations, a page at each integration's end of the index): about a seventh of the CPU
-- of an accepted event in bench/long-connection-service.sh 1000. And the last delivery was forgotten once the dedupe
-- retention had purged the integration's events.
CREATE TABLE integration_deliveries (
    integration_id    VARCHAR(64) NOT NULL PRIMARY KEY REFERENCES integrations (id) ON DELETE CASCADE,
    last_accepted_at  TIMESTAMP WITH TIME ZONE NOT NULL
);
INSERT INTO integration_deliveries (integration_id, last_accepted_at)
    SELECT e.integration_id, MAX(e.accepted_at) FROM inbound_events e JOIN integrations i ON i.id = e.integration_id
    GROUP BY e.integration_id;
DROP INDEX ix_inbound_last_delivery;

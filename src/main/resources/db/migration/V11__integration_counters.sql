-- Status counters of the whole cluster, kept across restarts: every instance adds what it counted since
-- its last flush (larkway.counters-flush-ms); Status shows these totals plus its own counts not yet added.
CREATE TABLE integration_counters (
    integration_id  VARCHAR(64)  NOT NULL REFERENCES integrations (id) ON DELETE CASCADE,
    counter         VARCHAR(100) NOT NULL,
    total           BIGINT       NOT NULL,
    PRIMARY KEY (integration_id, counter)
);

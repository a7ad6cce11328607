-- Which instances hold a long connection for each integration (Status tab: owner instances).
-- Each instance refreshes its rows every long-connection.sync-interval-ms; old rows mean a gone instance.
CREATE TABLE connection_owners (
    integration_id   VARCHAR(64)  NOT NULL,
    instance_id      VARCHAR(200) NOT NULL,
    state            VARCHAR(16)  NOT NULL,
    connected_since  TIMESTAMP WITH TIME ZONE,
    last_error       VARCHAR(2000),
    updated_at       TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT pk_connection_owners PRIMARY KEY (integration_id, instance_id)
);

-- The last operator action (reconnect / disconnect) per long-connection integration, so every
-- instance carries it out, not only the one that took the call. Each instance applies each id once.
CREATE TABLE connection_commands (
    integration_id  VARCHAR(64)  PRIMARY KEY REFERENCES integrations (id) ON DELETE CASCADE,
    id              VARCHAR(64)  NOT NULL,
    command         VARCHAR(16)  NOT NULL,
    requested_at    TIMESTAMP WITH TIME ZONE NOT NULL
);

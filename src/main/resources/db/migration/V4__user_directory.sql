-- Users who messaged a bot whose integration has auto-provision on (Users tab).
CREATE TABLE lark_users (
    integration_id  VARCHAR(64)  NOT NULL REFERENCES integrations (id) ON DELETE CASCADE,
    open_id         VARCHAR(200) NOT NULL,
    name            VARCHAR(200),
    role_name       VARCHAR(200),
    first_seen      TIMESTAMP WITH TIME ZONE NOT NULL,
    last_seen       TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT pk_lark_users PRIMARY KEY (integration_id, open_id)
);

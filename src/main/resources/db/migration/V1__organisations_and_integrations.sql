-- Portable SQL: runs on H2 (PostgreSQL mode) and PostgreSQL alike.
CREATE TABLE orgs (
    id          VARCHAR(64)  PRIMARY KEY,
    name        VARCHAR(200) NOT NULL,
    created_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at  TIMESTAMP WITH TIME ZONE NOT NULL
);

-- Organisation API keys, stored as SHA-256 hex only.
CREATE TABLE api_keys (
    key_hash    VARCHAR(64)  PRIMARY KEY,
    org_id      VARCHAR(64)  NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    created_at  TIMESTAMP WITH TIME ZONE NOT NULL
);

CREATE TABLE integrations (
    id                      VARCHAR(64)  PRIMARY KEY,
    org_id                  VARCHAR(64)  NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    name                    VARCHAR(200) NOT NULL,
    app_id                  VARCHAR(200) NOT NULL,
    app_secret_enc          VARCHAR(1000) NOT NULL,
    verification_token_enc  VARCHAR(1000),
    encrypt_key_enc         VARCHAR(1000),
    connection_mode         VARCHAR(32)  NOT NULL,
    international           BOOLEAN      NOT NULL,
    preferred_language      VARCHAR(16)  NOT NULL,
    auto_provision          BOOLEAN      NOT NULL,
    auto_provision_role     VARCHAR(200),
    enabled                 BOOLEAN      NOT NULL,
    created_at              TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at              TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT uq_integrations_org_app UNIQUE (org_id, app_id)
);

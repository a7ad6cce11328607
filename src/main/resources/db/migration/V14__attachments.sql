-- The attachments of turns given to http and camel experts (PRODUCT.md §10): fetched from Lark at turn time and
-- served by their signed larkway URL (GET /api/attachments/{id}) until they expire, from any instance.
CREATE TABLE attachments (
    id              VARCHAR(64)   PRIMARY KEY,
    integration_id  VARCHAR(64)   NOT NULL REFERENCES integrations (id) ON DELETE CASCADE,
    message_id      VARCHAR(128)  NOT NULL,
    name            VARCHAR(512),
    mime_type       VARCHAR(255)  NOT NULL,
    content         BYTEA         NOT NULL,
    expires_at      TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE INDEX attachments_expires_at ON attachments (expires_at);

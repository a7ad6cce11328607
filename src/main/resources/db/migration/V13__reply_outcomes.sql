-- Whether an integration's answers get out (Status replies{status, lastError, lastSentAt}, its health):
-- the outcome of its last reply, written by whichever instance sent it, so every instance shows the same.
CREATE TABLE reply_outcomes (
    integration_id  VARCHAR(64)   PRIMARY KEY REFERENCES integrations (id) ON DELETE CASCADE,
    status          VARCHAR(16)   NOT NULL,
    last_error      VARCHAR(2000),
    last_sent_at    TIMESTAMP WITH TIME ZONE,
    updated_at      TIMESTAMP WITH TIME ZONE NOT NULL
);

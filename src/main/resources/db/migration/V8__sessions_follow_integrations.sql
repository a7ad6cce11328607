-- Deleting an integration ends its sessions (and, through them, their waiting messages).
ALTER TABLE sessions ADD CONSTRAINT fk_sessions_integration FOREIGN KEY (integration_id) REFERENCES integrations (id) ON DELETE CASCADE;

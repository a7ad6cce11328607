-- Issue 21 (PRODUCT.md §10): trigger settings threadSessions, acceptBotMessages and welcomeMessage;
-- a session of a topic thread remembers its thread (shown by the Sessions API, used to answer in it).
ALTER TABLE triggers ADD COLUMN thread_sessions BOOLEAN DEFAULT FALSE NOT NULL;
ALTER TABLE triggers ADD COLUMN accept_bot_messages BOOLEAN DEFAULT FALSE NOT NULL;
ALTER TABLE triggers ADD COLUMN welcome_message VARCHAR(2000);
ALTER TABLE sessions ADD COLUMN thread_id VARCHAR(200);

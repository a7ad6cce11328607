-- A waiting message is taken by a turn (its token) and deleted only when that turn has answered,
-- so a turn whose instance died is run again by another instance once the lease runs out.
ALTER TABLE waiting_messages ADD COLUMN taken_by VARCHAR(64);
-- A message resumed after a crash is not queued twice.
ALTER TABLE waiting_messages ADD COLUMN message_id VARCHAR(200);
ALTER TABLE waiting_messages ADD CONSTRAINT uq_waiting_message UNIQUE (session_id, message_id);
CREATE INDEX ix_waiting_session ON waiting_messages (session_id, id);
CREATE INDEX ix_sessions_turns ON sessions (state, turn_until);

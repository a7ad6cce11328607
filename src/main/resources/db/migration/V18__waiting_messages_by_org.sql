-- After every turn the converse route asks for its organisation's held-back scopes (Conversations.HELD_BACK: messages
-- waiting with no turn running, oldest first). It found them through every waiting message of every organisation and
-- sorted them all, so one organisation above its turn limit made each turn of every organisation cost as much as its
-- backlog: in bench/e2e.sh at 600 messages/s (one organisation, turn limit 4) that query took 46 % of larkway's CPU, and
-- the instance fell to about a fifth of the rate it keeps up with at 400/s. Each waiting message now carries its
-- organisation, and the query reads only that organisation's oldest few through this index.
-- A message queued by an instance still on the previous version has none: the turn recovery (STALE_TURNS) takes it up.
ALTER TABLE waiting_messages ADD COLUMN org_id VARCHAR(64);
UPDATE waiting_messages SET org_id = (SELECT i.org_id FROM sessions s JOIN integrations i ON i.id = s.integration_id
                                       WHERE s.id = waiting_messages.session_id);
CREATE INDEX ix_waiting_org ON waiting_messages (org_id, id);

-- One dedupe key per accepted event instead of two. An event was a duplicate when its (integration, event_id) or its
-- (integration, message_id) was taken; each of those unique keys is a B-tree with random keys, so every accept and every
-- done mark (H2 updates a row by removing and adding it in every index) rewrote two pages the cache rarely holds.
-- dedupe_key is the message id when the event carries one ('m:' + message_id: a redelivery or the other ingress brings
-- the same message under any event id), else the event id ('e:' + event_id). Lark never sends one event id with two
-- message ids, which is the only case the two keys told apart.
-- Rolling upgrade: an instance on the previous version does not write dedupe_key, so its accepts fail (NOT NULL) and
-- Lark delivers those events again, to an upgraded instance; none is accepted twice.
ALTER TABLE inbound_events ADD COLUMN dedupe_key VARCHAR(210);
UPDATE inbound_events SET dedupe_key = CASE WHEN message_id IS NULL THEN 'e:' || event_id ELSE 'm:' || message_id END;
ALTER TABLE inbound_events ALTER COLUMN dedupe_key SET NOT NULL;
ALTER TABLE inbound_events ADD CONSTRAINT uq_inbound_dedupe UNIQUE (integration_id, dedupe_key);
ALTER TABLE inbound_events DROP CONSTRAINT uq_inbound_event;
ALTER TABLE inbound_events DROP CONSTRAINT uq_inbound_message;

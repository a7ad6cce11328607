-- An accepted event's claim (which instance has it, until when, how often it was taken up) moves out of inbound_events
-- into a table of its own, which holds only the events not finished yet: a finished event's claim is deleted. Marking an
-- event done was an UPDATE of its inbound_events row, and H2 carries out an UPDATE by removing the row from every index
-- and adding it again, so each done mark also rewrote a random page of the dedupe key's B-tree, and every later commit
-- carried those pages (bench/long-connection-service.sh at saturation: 328 and 388 us per event before, 288 and 232
-- after; bench/README.md, 2026-12-05). The inbound_events row is now written once, at the accept, and stays as the
-- dedupe record until the retention purges it.
-- An accept writes three B-trees, as before: the event (its primary key), uq_inbound_dedupe, and the claim (its primary
-- key, which takes the place of ix_inbound_pending). Neither table has another index: the recovery sweep reads the
-- claims, a table of unfinished events only, and the retention's purge walks the events by id, the order they were
-- accepted in, and stops at the first one within the retention. No state column: an event with a claim is unfinished,
-- one without is finished (handed on, or given up after its attempts, which the log and the Status's recent errors show).
-- Rolling upgrade: an instance on the previous version writes the dropped columns, so its accepts fail and Lark delivers
-- those events again, to an upgraded instance; events it had accepted and not finished keep their claims below and are
-- resumed once their leases run out.
CREATE TABLE inbox_claims (
    event_id       BIGINT PRIMARY KEY,
    claimed_by     VARCHAR(200) NOT NULL,
    claimed_until  TIMESTAMP WITH TIME ZONE NOT NULL,
    attempts       INTEGER DEFAULT 0 NOT NULL
);
-- The index goes first, before the claims are copied: on PostgreSQL DROP INDEX locks inbound_events (ACCESS EXCLUSIVE)
-- until this migration commits, so no accept of an instance still on the earlier version can commit between the copy
-- and the columns' drop (its event would keep no claim, look finished, and never be processed). Keep this order.
DROP INDEX ix_inbound_pending;
INSERT INTO inbox_claims (event_id, claimed_by, claimed_until, attempts)
    SELECT id, COALESCE(claimed_by, ''), COALESCE(claimed_until, accepted_at), attempts FROM inbound_events
    WHERE state IN ('accepted', 'dispatching');
ALTER TABLE inbound_events DROP COLUMN state;
ALTER TABLE inbound_events DROP COLUMN claimed_by;
ALTER TABLE inbound_events DROP COLUMN claimed_until;
ALTER TABLE inbound_events DROP COLUMN attempts;
ALTER TABLE inbound_events DROP COLUMN done_at;

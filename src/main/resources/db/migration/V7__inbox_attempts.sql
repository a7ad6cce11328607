-- How often an accepted event was taken up again after its lease ran out; a poison event stops at a limit.
ALTER TABLE inbound_events ADD COLUMN attempts INTEGER DEFAULT 0 NOT NULL;

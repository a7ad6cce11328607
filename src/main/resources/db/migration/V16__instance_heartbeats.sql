-- When each instance last published its long-connection states (every long-connection.sync-interval-ms).
-- An instance's connection_owners rows are current while its heartbeat is: a round rewrites only the rows whose
-- state changed, and this one row, instead of every row's updated_at (1 000 rows every 10 s with 1 000 connections).
CREATE TABLE instance_heartbeats (
    instance_id  VARCHAR(200) NOT NULL,
    updated_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT pk_instance_heartbeats PRIMARY KEY (instance_id)
);

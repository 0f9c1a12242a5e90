-- OrleansNsq PostgreSQL schema, part 2: the message log (DESIGN.md "Storage", Grains/Storage/Log/IMessageLogStore.cs),
-- written by PostgresLogStore. Applied idempotently at every silo start, inside one transaction.

-- One row per published batch, across every topic of the cluster: ids first_id .. last_id of one topic.
CREATE TABLE IF NOT EXISTS nsq_log_batch (
    topic        text    NOT NULL,
    last_id      bigint  NOT NULL,  -- first_id + count - 1; batches of a topic never overlap
    first_id     bigint  NOT NULL,
    count        integer NOT NULL,
    timestamp_ns bigint  NOT NULL,  -- every message's timestamp (Unix ns)
    due_ms       bigint  NOT NULL,  -- > 0: a DPUB batch, deferred until then (Unix ms)
    held         boolean NOT NULL,  -- the topic kept it (no channel, or paused)
    data         bytea   NOT NULL,  -- the bodies back to back
    ends         bytea   NOT NULL,  -- body i's end offset in data, int32 little-endian each
    PRIMARY KEY (topic, last_id)    -- reads by topic in id order, and the GC's range delete
);
-- Bodies are stored as they come: no compression attempt (EXTENDED would try pglz on every batch). Issue 7 measured
-- one writer at 646k msgs/s with EXTERNAL against ~330k with the default.
ALTER TABLE nsq_log_batch ALTER COLUMN data SET STORAGE EXTERNAL, ALTER COLUMN ends SET STORAGE EXTERNAL;

-- One row per durable channel: its progress through the topic's ids.
CREATE TABLE IF NOT EXISTS nsq_log_cursor (
    topic            text   NOT NULL,
    channel          text   NOT NULL,
    low_water        bigint NOT NULL,  -- every id up to here is done (or before the channel existed)
    received_through bigint NOT NULL,  -- ids above it were not received yet
    pending          bytea  NOT NULL,  -- ranges still to deliver: (from, to, due Unix ms) int64 little-endian each
    PRIMARY KEY (topic, channel)
);

-- One row per topic that has handed held batches to its channels.
CREATE TABLE IF NOT EXISTS nsq_log_topic (
    topic            text   NOT NULL PRIMARY KEY,
    released_through bigint NOT NULL
);

-- OrleansNsq PostgreSQL schema, part 3: the silo membership table of Microsoft.Orleans.Clustering.AdoNet (invariant
-- "Npgsql"), used by --cluster=postgres (docs/CLUSTER.md). Written for this project from the provider's contract
-- (RelationalOrleansQueries / DbStoredQueries): it reads these query keys from OrleansQuery and runs them with the
-- parameters
--   @DeploymentId text (the cluster id), @Address text, @Port int, @Generation int (the silo address),
--   @SiloName text, @HostName text, @Status int (SiloStatus: 3 Active, 6 Dead), @ProxyPort int (the client gateway port),
--   @StartTime timestamptz, @IAmAliveTime timestamptz, @SuspectTimes text ("silo,time|silo,time"),
--   @Version int (the table version the caller read: its etag)
-- reading the columns Version (the table version, on every row), Address, Port, Generation, SiloName, HostName, Status,
-- ProxyPort, SuspectTimes, StartTime, IAmAliveTime; a read returns at least the version row (StartTime null = no silo).
-- Insert, update and the version row insert answer one boolean. A change to a row and the table version's increment
-- are one statement: the version row is locked first, so of two silos writing against the same version one wins.

CREATE TABLE IF NOT EXISTS nsq_membership_version (
    deployment_id text        NOT NULL PRIMARY KEY, -- Orleans ClusterId
    version       integer     NOT NULL,             -- raised by every insert and update of a member row
    changed_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS nsq_membership (
    deployment_id   text        NOT NULL, -- its nsq_membership_version row exists first
    address         text        NOT NULL,
    port            integer     NOT NULL,
    generation      integer     NOT NULL,
    silo_name       text        NOT NULL, -- carries the node's NSQ endpoints (docs/CLUSTER.md)
    host_name       text        NOT NULL,
    status          integer     NOT NULL,
    proxy_port      integer,
    suspect_times   text,
    start_time      timestamptz NOT NULL,
    i_am_alive_time timestamptz NOT NULL,
    PRIMARY KEY (deployment_id, address, port, generation)
);

INSERT INTO orleansquery (querykey, querytext) VALUES
('InsertMembershipVersionKey', $q$
WITH created AS (
    INSERT INTO nsq_membership_version (deployment_id, version) VALUES (@DeploymentId, 0)
    ON CONFLICT DO NOTHING
    RETURNING 1
)
SELECT count(*) > 0 FROM created
$q$),
('MembershipReadAllKey', $q$
SELECT v.version AS "Version",
       m.address AS "Address", m.port AS "Port", m.generation AS "Generation", m.silo_name AS "SiloName",
       m.host_name AS "HostName", m.status AS "Status", m.proxy_port AS "ProxyPort", m.suspect_times AS "SuspectTimes",
       m.start_time AS "StartTime", m.i_am_alive_time AS "IAmAliveTime"
FROM nsq_membership_version v
LEFT JOIN nsq_membership m ON m.deployment_id = v.deployment_id
WHERE v.deployment_id = @DeploymentId
$q$),
('MembershipReadRowKey', $q$
SELECT v.version AS "Version",
       m.address AS "Address", m.port AS "Port", m.generation AS "Generation", m.silo_name AS "SiloName",
       m.host_name AS "HostName", m.status AS "Status", m.proxy_port AS "ProxyPort", m.suspect_times AS "SuspectTimes",
       m.start_time AS "StartTime", m.i_am_alive_time AS "IAmAliveTime"
FROM nsq_membership_version v
LEFT JOIN nsq_membership m ON m.deployment_id = v.deployment_id
    AND m.address = @Address AND m.port = @Port AND m.generation = @Generation
WHERE v.deployment_id = @DeploymentId
$q$),
('InsertMembershipKey', $q$
WITH expected AS (
    SELECT deployment_id FROM nsq_membership_version
    WHERE deployment_id = @DeploymentId AND version = @Version
    FOR UPDATE
), inserted AS (
    INSERT INTO nsq_membership (deployment_id, address, port, generation, silo_name, host_name, status, proxy_port,
                                start_time, i_am_alive_time)
    SELECT deployment_id, @Address, @Port, @Generation, @SiloName, @HostName, @Status, @ProxyPort, @StartTime, @IAmAliveTime
    FROM expected
    ON CONFLICT DO NOTHING
    RETURNING deployment_id
), raised AS (
    UPDATE nsq_membership_version v SET version = v.version + 1, changed_at = now()
    FROM inserted WHERE v.deployment_id = inserted.deployment_id
    RETURNING v.version
)
SELECT count(*) > 0 FROM raised
$q$),
('UpdateMembershipKey', $q$
WITH expected AS (
    SELECT deployment_id FROM nsq_membership_version
    WHERE deployment_id = @DeploymentId AND version = @Version
    FOR UPDATE
), updated AS (
    UPDATE nsq_membership m SET status = @Status, suspect_times = @SuspectTimes, i_am_alive_time = @IAmAliveTime
    FROM expected
    WHERE m.deployment_id = expected.deployment_id AND m.address = @Address AND m.port = @Port AND m.generation = @Generation
    RETURNING m.deployment_id
), raised AS (
    UPDATE nsq_membership_version v SET version = v.version + 1, changed_at = now()
    FROM updated WHERE v.deployment_id = updated.deployment_id
    RETURNING v.version
)
SELECT count(*) > 0 FROM raised
$q$),
('UpdateIAmAlivetimeKey', $q$
UPDATE nsq_membership SET i_am_alive_time = @IAmAliveTime
WHERE deployment_id = @DeploymentId AND address = @Address AND port = @Port AND generation = @Generation
$q$),
('GatewaysQueryKey', $q$
SELECT address AS "Address", proxy_port AS "ProxyPort", generation AS "Generation"
FROM nsq_membership
WHERE deployment_id = @DeploymentId AND status = @Status AND proxy_port > 0
$q$),
('DeleteMembershipTableEntriesKey', $q$
WITH members AS (
    DELETE FROM nsq_membership WHERE deployment_id = @DeploymentId
)
DELETE FROM nsq_membership_version WHERE deployment_id = @DeploymentId
$q$),
('CleanupDefunctSiloEntriesKey', $q$
DELETE FROM nsq_membership
WHERE deployment_id = @DeploymentId AND status = 6 AND i_am_alive_time < @IAmAliveTime
$q$)
ON CONFLICT (querykey) DO UPDATE SET querytext = excluded.querytext;

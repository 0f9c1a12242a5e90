-- OrleansNsq PostgreSQL schema, part 1: what Microsoft.Orleans.Persistence.AdoNet (invariant "Npgsql") needs for the
-- grain storage named "nsq" (topic, channel and directory metadata). Written for this project from the provider's
-- contract (AdoNetGrainStorage.cs): at start it runs
--   SELECT QueryKey, QueryText FROM OrleansQuery WHERE QueryKey = 'WriteToStorageKey' OR ... 'DeleteStorageKey'
-- and then runs those texts with the parameters
--   @GrainIdHash int, @GrainIdN0 bigint, @GrainIdN1 bigint, @GrainTypeHash int, @GrainTypeString text (the state name),
--   @GrainIdExtensionString text (a string key, or a Guid/integer key's extension; null when none),
--   @ServiceId text, @GrainStateVersion int (the ETag; null on a first write), @PayloadBinary bytea
-- reading the columns: read -> "PayloadBinary", "Version"; write -> "NewGrainStateVersion" (null = conflict);
-- clear and delete -> the first column, the new version (no row = conflict). The provider throws
-- InconsistentStateException when the version it gets back is empty or equal to the ETag it sent.
-- The hash parameters are not used: the primary key below finds a row directly.
-- Applied idempotently at every silo start (and by `Silo migrate`), inside one transaction.

CREATE TABLE IF NOT EXISTS orleansquery (
    querykey  varchar(64) NOT NULL PRIMARY KEY,
    querytext text        NOT NULL
);

CREATE TABLE IF NOT EXISTS nsq_grain_state (
    service_id  text        NOT NULL,               -- Orleans ServiceId
    state_name  text        NOT NULL,               -- the [PersistentState] name: topic, channel, directory
    grain_id_n0 bigint      NOT NULL,               -- Guid/integer keys; 0 for string keys
    grain_id_n1 bigint      NOT NULL,
    grain_key   text        NOT NULL,               -- string key or key extension; '' when none
    version     integer     NOT NULL,               -- the ETag, 1 on the first write
    payload     bytea,                              -- serialized state; null once cleared
    modified_at timestamptz NOT NULL DEFAULT now(), -- for operators
    PRIMARY KEY (service_id, state_name, grain_id_n0, grain_id_n1, grain_key)
);

INSERT INTO orleansquery (querykey, querytext) VALUES
('ReadFromStorageKey', $q$
SELECT payload AS "PayloadBinary", version AS "Version"
FROM nsq_grain_state
WHERE service_id = @ServiceId AND state_name = @GrainTypeString
  AND grain_id_n0 = @GrainIdN0 AND grain_id_n1 = @GrainIdN1 AND grain_key = coalesce(@GrainIdExtensionString, '')
$q$),
('WriteToStorageKey', $q$
WITH inserted AS (
    INSERT INTO nsq_grain_state (service_id, state_name, grain_id_n0, grain_id_n1, grain_key, version, payload)
    SELECT @ServiceId, @GrainTypeString, @GrainIdN0, @GrainIdN1, coalesce(@GrainIdExtensionString, ''), 1, @PayloadBinary
    WHERE @GrainStateVersion IS NULL
    ON CONFLICT DO NOTHING
    RETURNING version
), updated AS (
    UPDATE nsq_grain_state
    SET version = version + 1, payload = @PayloadBinary, modified_at = now()
    WHERE @GrainStateVersion IS NOT NULL AND version = @GrainStateVersion
      AND service_id = @ServiceId AND state_name = @GrainTypeString
      AND grain_id_n0 = @GrainIdN0 AND grain_id_n1 = @GrainIdN1 AND grain_key = coalesce(@GrainIdExtensionString, '')
    RETURNING version
)
SELECT version AS "NewGrainStateVersion" FROM inserted
UNION ALL
SELECT version FROM updated
$q$),
('ClearStorageKey', $q$
UPDATE nsq_grain_state
SET version = version + 1, payload = NULL, modified_at = now()
WHERE version = @GrainStateVersion
  AND service_id = @ServiceId AND state_name = @GrainTypeString
  AND grain_id_n0 = @GrainIdN0 AND grain_id_n1 = @GrainIdN1 AND grain_key = coalesce(@GrainIdExtensionString, '')
RETURNING version AS "NewGrainStateVersion"
$q$),
('DeleteStorageKey', $q$
DELETE FROM nsq_grain_state
WHERE version = @GrainStateVersion
  AND service_id = @ServiceId AND state_name = @GrainTypeString
  AND grain_id_n0 = @GrainIdN0 AND grain_id_n1 = @GrainIdN1 AND grain_key = coalesce(@GrainIdExtensionString, '')
RETURNING version + 1 AS "NewGrainStateVersion"
$q$)
ON CONFLICT (querykey) DO UPDATE SET querytext = excluded.querytext;

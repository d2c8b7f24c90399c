-- Grain state (Orleans.Persistence.AdoNet 10.4.2 contract).
-- Parameters: GrainIdHash, GrainIdN0, GrainIdN1, GrainTypeHash, GrainTypeString (the state name),
-- GrainIdExtensionString, ServiceId, GrainStateVersion (the ETag, an int), PayloadBinary,
-- PayloadJson, PayloadXml (10.4.2 binds only PayloadBinary on writes: the serializer's bytes).
-- Reads answer PayloadBinary first and Version by name.
--
-- Differences from Orleans' own script, on purpose:
--  * A unique key on a grain's identity: a concurrent first write of one grain inserts one row; the
--    losers get no new version back, which the provider reports as an ETag conflict.
--  * The state is stored as jsonb (the project writes System.Text.Json), so triggers can keep the
--    domain tables in the same transaction and operators can query it.
--  * The version wraps within 1..2147483646 instead of overflowing: the provider parses the ETag
--    as a 32-bit int, and Orleans' "version + 1" stops a grain for good at 2^31.

CREATE TABLE grain_state (
    serviceid        varchar(150) NOT NULL,
    graintypestring  varchar(512) NOT NULL,
    grainidn0        bigint       NOT NULL,
    grainidn1        bigint       NOT NULL,
    grainidextension varchar(512),
    grainidhash      integer      NOT NULL,
    graintypehash    integer      NOT NULL,
    payload          jsonb,
    version          integer      NOT NULL,
    created_at       timestamptz  NOT NULL DEFAULT now(),
    modified_at      timestamptz  NOT NULL DEFAULT now(),
    CONSTRAINT grain_state_identity UNIQUE NULLS NOT DISTINCT
        (serviceid, graintypestring, grainidn0, grainidn1, grainidextension)
);

CREATE FUNCTION grain_state_next_version(v integer) RETURNS integer
LANGUAGE sql IMMUTABLE AS $$ SELECT CASE WHEN v >= 2147483646 THEN 1 ELSE v + 1 END $$;

-- Answers the new version, or NULL when the expected version did not match (or, for a first
-- write, when another writer inserted the row first).
CREATE FUNCTION grain_state_write(
    p_idhash integer, p_n0 bigint, p_n1 bigint, p_typehash integer, p_type text, p_ext text,
    p_service text, p_version integer, p_binary bytea, p_json text)
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    doc jsonb := CASE WHEN p_binary IS NOT NULL THEN convert_from(p_binary, 'UTF8')::jsonb
                      WHEN p_json IS NOT NULL THEN p_json::jsonb END;
    result integer;
BEGIN
    IF p_version IS NULL THEN
        INSERT INTO grain_state (serviceid, graintypestring, grainidn0, grainidn1, grainidextension,
                                 grainidhash, graintypehash, payload, version)
        VALUES (p_service, p_type, p_n0, p_n1, p_ext, p_idhash, p_typehash, doc, 1)
        ON CONFLICT ON CONSTRAINT grain_state_identity DO NOTHING
        RETURNING version INTO result;
    ELSE
        UPDATE grain_state
           SET payload = doc, version = grain_state_next_version(version), modified_at = now()
         WHERE serviceid = p_service AND graintypestring = p_type AND grainidn0 = p_n0 AND grainidn1 = p_n1
           AND grainidextension IS NOT DISTINCT FROM p_ext AND version = p_version
        RETURNING version INTO result;
    END IF;
    RETURN result;
END $$;

INSERT INTO orleansquery (querykey, querytext) VALUES
('WriteToStorageKey', $q$
    SELECT grain_state_write(@GrainIdHash, @GrainIdN0, @GrainIdN1, @GrainTypeHash, @GrainTypeString,
                             @GrainIdExtensionString, @ServiceId, @GrainStateVersion, @PayloadBinary,
                             NULL) AS NewGrainStateVersion
$q$),
('ReadFromStorageKey', $q$
    SELECT convert_to(payload::text, 'UTF8') AS payloadbinary, NULL::xml AS payloadxml,
           NULL::text AS payloadjson, now() AS modifiedon, version
      FROM grain_state
     WHERE serviceid = @ServiceId AND graintypestring = @GrainTypeString AND grainidn0 = @GrainIdN0
       AND grainidn1 = @GrainIdN1 AND grainidextension IS NOT DISTINCT FROM @GrainIdExtensionString
$q$),
-- ClearStateAsync: the row stays (its version keeps guarding against stale writers), the state goes.
('ClearStorageKey', $q$
    UPDATE grain_state
       SET payload = NULL, version = grain_state_next_version(version), modified_at = now()
     WHERE serviceid = @ServiceId AND graintypestring = @GrainTypeString AND grainidn0 = @GrainIdN0
       AND grainidn1 = @GrainIdN1 AND grainidextension IS NOT DISTINCT FROM @GrainIdExtensionString
       AND version = @GrainStateVersion
    RETURNING version AS NewGrainStateVersion
$q$),
-- With DeleteStateOnClear the row itself is removed.
('DeleteStorageKey', $q$
    DELETE FROM grain_state
     WHERE serviceid = @ServiceId AND graintypestring = @GrainTypeString AND grainidn0 = @GrainIdN0
       AND grainidn1 = @GrainIdN1 AND grainidextension IS NOT DISTINCT FROM @GrainIdExtensionString
       AND version = @GrainStateVersion
$q$);

-- Cluster membership (Orleans "extended membership protocol").
-- Parameters sent by Orleans.Clustering.AdoNet 10.4.2: DeploymentId (= ClusterId), Address, Port,
-- Generation, SiloName, HostName, Status, ProxyPort, SuspectTimes, StartTime, IAmAliveTime, Version.
-- Read queries must answer the column names below; Orleans reads them by name.

CREATE TABLE cluster_version (
    deploymentid varchar(150) PRIMARY KEY,
    "timestamp"  timestamptz  NOT NULL DEFAULT now(),
    version      integer      NOT NULL DEFAULT 0
);

CREATE TABLE cluster_members (
    deploymentid varchar(150) NOT NULL REFERENCES cluster_version (deploymentid) ON DELETE CASCADE,
    address      varchar(45)  NOT NULL,
    port         integer      NOT NULL,
    generation   integer      NOT NULL,
    siloname     varchar(150) NOT NULL,
    hostname     varchar(150) NOT NULL,
    status       integer      NOT NULL,   -- 3 = Active, 6 = Dead (Orleans SiloStatus)
    proxyport    integer,
    suspecttimes text,
    starttime    timestamptz  NOT NULL,
    iamalivetime timestamptz  NOT NULL,
    PRIMARY KEY (deploymentid, address, port, generation)
);

-- Insert a member and bump the table version in one step; answers 1 on success, 0 when the
-- version moved on or the member already exists (Orleans then re-reads and retries).
CREATE FUNCTION cluster_insert_member(
    p_deployment text, p_address text, p_port integer, p_generation integer, p_silo_name text,
    p_host_name text, p_status integer, p_proxy_port integer, p_start timestamptz,
    p_alive timestamptz, p_version integer)
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    bumped integer;
    inserted integer;
BEGIN
    UPDATE cluster_version
       SET version = version + 1, "timestamp" = now()
     WHERE deploymentid = p_deployment AND version = p_version;
    GET DIAGNOSTICS bumped = ROW_COUNT;
    IF bumped = 0 THEN
        RETURN 0;
    END IF;
    INSERT INTO cluster_members (deploymentid, address, port, generation, siloname, hostname, status,
                                 proxyport, starttime, iamalivetime)
    VALUES (p_deployment, p_address, p_port, p_generation, p_silo_name, p_host_name, p_status,
            p_proxy_port, p_start, p_alive)
    ON CONFLICT DO NOTHING;
    GET DIAGNOSTICS inserted = ROW_COUNT;
    IF inserted = 0 THEN
        RAISE EXCEPTION USING ERRCODE = 'P0001', MESSAGE = 'member exists';
    END IF;
    RETURN 1;
EXCEPTION WHEN raise_exception THEN
    RETURN 0; -- the version bump above is rolled back with the block
END $$;

CREATE FUNCTION cluster_update_member(
    p_deployment text, p_address text, p_port integer, p_generation integer, p_status integer,
    p_suspect text, p_alive timestamptz, p_version integer)
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    changed integer;
BEGIN
    UPDATE cluster_version
       SET version = version + 1, "timestamp" = now()
     WHERE deploymentid = p_deployment AND version = p_version;
    GET DIAGNOSTICS changed = ROW_COUNT;
    IF changed = 0 THEN
        RETURN 0;
    END IF;
    UPDATE cluster_members
       SET status = p_status, suspecttimes = p_suspect, iamalivetime = p_alive
     WHERE deploymentid = p_deployment AND address = p_address AND port = p_port AND generation = p_generation;
    GET DIAGNOSTICS changed = ROW_COUNT;
    IF changed = 0 THEN
        RAISE EXCEPTION USING ERRCODE = 'P0001', MESSAGE = 'no such member';
    END IF;
    RETURN 1;
EXCEPTION WHEN raise_exception THEN
    RETURN 0;
END $$;

INSERT INTO orleansquery (querykey, querytext) VALUES
('InsertMembershipVersionKey', $q$
    WITH ins AS (
        INSERT INTO cluster_version (deploymentid) VALUES (@DeploymentId)
        ON CONFLICT (deploymentid) DO NOTHING
        RETURNING 1)
    SELECT count(*)::integer FROM ins
$q$),
('InsertMembershipKey', $q$
    SELECT cluster_insert_member(@DeploymentId, @Address, @Port, @Generation, @SiloName, @HostName,
                                 @Status, @ProxyPort, @StartTime, @IAmAliveTime, @Version)
$q$),
('UpdateMembershipKey', $q$
    SELECT cluster_update_member(@DeploymentId, @Address, @Port, @Generation, @Status, @SuspectTimes,
                                 @IAmAliveTime, @Version)
$q$),
('UpdateIAmAlivetimeKey', $q$
    UPDATE cluster_members SET iamalivetime = @IAmAliveTime
     WHERE deploymentid = @DeploymentId AND address = @Address AND port = @Port AND generation = @Generation
$q$),
('MembershipReadRowKey', $q$
    SELECT v.deploymentid, m.address, m.port, m.generation, m.siloname, m.hostname, m.status,
           m.proxyport, m.suspecttimes, m.starttime, m.iamalivetime, v.version
      FROM cluster_version v
      LEFT JOIN cluster_members m
        ON m.deploymentid = v.deploymentid
       AND m.address = @Address AND m.port = @Port AND m.generation = @Generation
     WHERE v.deploymentid = @DeploymentId
$q$),
('MembershipReadAllKey', $q$
    SELECT v.deploymentid, m.address, m.port, m.generation, m.siloname, m.hostname, m.status,
           m.proxyport, m.suspecttimes, m.starttime, m.iamalivetime, v.version
      FROM cluster_version v
      LEFT JOIN cluster_members m ON m.deploymentid = v.deploymentid
     WHERE v.deploymentid = @DeploymentId
$q$),
('GatewaysQueryKey', $q$
    SELECT address, proxyport, generation
      FROM cluster_members
     WHERE deploymentid = @DeploymentId AND status = @Status AND proxyport > 0
$q$),
('DeleteMembershipTableEntriesKey', $q$
    DELETE FROM cluster_version WHERE deploymentid = @DeploymentId
$q$),
-- Removes members that stopped heart-beating before @IAmAliveTime and are not Active.
('CleanupDefunctSiloEntriesKey', $q$
    DELETE FROM cluster_members
     WHERE deploymentid = @DeploymentId AND iamalivetime < @IAmAliveTime AND status <> 3
$q$),
('CleanupDefunctSiloEntryKey', $q$
    DELETE FROM cluster_members
     WHERE deploymentid = @DeploymentId AND address = @Address AND port = @Port
       AND generation = @Generation AND status <> 3
$q$);

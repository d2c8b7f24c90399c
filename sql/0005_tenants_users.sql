-- Domain tables for tenants and users, one row per grain, kept by triggers on grain_state so each
-- row is written in the same transaction as the grain's state. Lists, filters and counts read
-- these tables; a single entity is read from its grain.

CREATE TABLE tenants (
    id         varchar(63)  PRIMARY KEY,
    name       text         NOT NULL,
    status     varchar(16)  NOT NULL,
    settings   jsonb        NOT NULL,   -- the SMTP password is removed
    created_at timestamptz  NOT NULL,
    updated_at timestamptz  NOT NULL
);
CREATE INDEX tenants_status ON tenants (status);

CREATE TABLE users (
    email      varchar(254) PRIMARY KEY,
    tenant_id  varchar(63),            -- NULL for platform operators
    role       varchar(16)  NOT NULL,
    deleted    boolean      NOT NULL DEFAULT false,
    created_at timestamptz  NOT NULL,
    updated_at timestamptz  NOT NULL
);
CREATE INDEX users_tenant ON users (tenant_id, email) WHERE NOT deleted;

CREATE FUNCTION project_tenant() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE p jsonb := NEW.payload;
BEGIN
    IF p IS NULL OR coalesce(p->>'slug', '') = '' THEN
        RETURN NULL;
    END IF;
    INSERT INTO tenants (id, name, status, settings, created_at, updated_at)
    VALUES (p->>'slug', p->>'name', p->>'status', coalesce(p->'settings', '{}') #- '{smtp,password}',
            (p->>'created_at')::timestamptz, (p->>'updated_at')::timestamptz)
    ON CONFLICT (id) DO UPDATE
       SET name = EXCLUDED.name, status = EXCLUDED.status, settings = EXCLUDED.settings,
           updated_at = EXCLUDED.updated_at;
    RETURN NULL;
END $$;

CREATE TRIGGER tenants_projection AFTER INSERT OR UPDATE OF payload ON grain_state
    FOR EACH ROW WHEN (NEW.graintypestring = 'tenant') EXECUTE FUNCTION project_tenant();

CREATE FUNCTION project_user() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE p jsonb := NEW.payload;
BEGIN
    IF p IS NULL OR coalesce(p->>'email', '') = '' THEN
        RETURN NULL;
    END IF;
    INSERT INTO users (email, tenant_id, role, deleted, created_at, updated_at)
    VALUES (p->>'email', nullif(p->>'tenant_id', ''), p->>'role', coalesce((p->>'deleted')::boolean, false),
            (p->>'created_at')::timestamptz, (p->>'updated_at')::timestamptz)
    ON CONFLICT (email) DO UPDATE
       SET tenant_id = EXCLUDED.tenant_id, role = EXCLUDED.role, deleted = EXCLUDED.deleted,
           created_at = EXCLUDED.created_at, updated_at = EXCLUDED.updated_at;
    RETURN NULL;
END $$;

CREATE TRIGGER users_projection AFTER INSERT OR UPDATE OF payload ON grain_state
    FOR EACH ROW WHEN (NEW.graintypestring = 'user') EXECUTE FUNCTION project_user();

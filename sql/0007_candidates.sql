-- Candidates (provider registrations): one row per candidate grain, kept by a trigger on
-- grain_state in the same transaction as the grain's state. Lists, filters and stats read here.

CREATE TABLE candidates (
    id            uuid         PRIMARY KEY,
    tenant_id     varchar(63)  NOT NULL,
    company_name  text         NOT NULL,
    contact_email varchar(254) NOT NULL,
    contact_phone varchar(40),
    products      text[]       NOT NULL DEFAULT '{}',
    status        varchar(16)  NOT NULL,
    provisioning  varchar(16)  NOT NULL,
    provider_id   text,
    version       bigint       NOT NULL,
    decided_by    varchar(254),
    decided_at    timestamptz,
    created_at    timestamptz  NOT NULL,
    updated_at    timestamptz  NOT NULL
);
CREATE INDEX candidates_tenant_created ON candidates (tenant_id, created_at DESC, id);
CREATE INDEX candidates_tenant_status ON candidates (tenant_id, status, created_at DESC);
CREATE INDEX candidates_status ON candidates (status);
CREATE INDEX candidates_created ON candidates (created_at);
CREATE INDEX candidates_products ON candidates USING gin (products);

CREATE FUNCTION project_candidate() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE p jsonb := NEW.payload;
BEGIN
    IF p IS NULL OR coalesce(p->>'id', '') = '' THEN
        RETURN NULL;
    END IF;
    INSERT INTO candidates (id, tenant_id, company_name, contact_email, contact_phone, products, status,
                            provisioning, provider_id, version, decided_by, decided_at, created_at, updated_at)
    VALUES ((p->>'id')::uuid, p->>'tenant_id', p->>'company_name', p->>'contact_email', p->>'contact_phone',
            coalesce(ARRAY(SELECT jsonb_array_elements_text(p->'products')), '{}'), p->>'status',
            p->>'provisioning', p->>'provider_id', (p->>'version')::bigint, p->>'decided_by',
            (p->>'decided_at')::timestamptz, (p->>'created_at')::timestamptz, (p->>'updated_at')::timestamptz)
    ON CONFLICT (id) DO UPDATE
       SET company_name = EXCLUDED.company_name, contact_email = EXCLUDED.contact_email,
           contact_phone = EXCLUDED.contact_phone, products = EXCLUDED.products, status = EXCLUDED.status,
           provisioning = EXCLUDED.provisioning, provider_id = EXCLUDED.provider_id, version = EXCLUDED.version,
           decided_by = EXCLUDED.decided_by, decided_at = EXCLUDED.decided_at, updated_at = EXCLUDED.updated_at;
    RETURN NULL;
END $$;

CREATE TRIGGER candidates_projection AFTER INSERT OR UPDATE OF payload ON grain_state
    FOR EACH ROW WHEN (NEW.graintypestring = 'candidate') EXECUTE FUNCTION project_candidate();

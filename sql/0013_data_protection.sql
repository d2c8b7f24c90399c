-- The key ring of ASP.NET Core Data Protection, which encrypts secret settings at rest (a tenant's
-- SMTP password in tenants.smtp_password). Every silo reads the same ring, so any silo decrypts what
-- another encrypted. `actorsctl rotate-keys` (Actors.Silo.dll rotate-keys) adds a key and
-- re-encrypts the secrets with it; older keys stay, so nothing written before becomes unreadable.

CREATE TABLE data_protection_keys (
    friendly_name text        PRIMARY KEY,
    xml           text        NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now()
);

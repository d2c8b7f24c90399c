-- The Orleans ADO.NET providers read every statement they run from this table at start-up
-- (SELECT QueryKey, QueryText FROM OrleansQuery). The table name is fixed by the providers;
-- the statements are ours.
CREATE TABLE orleansquery (
    querykey  varchar(64) PRIMARY KEY,
    querytext text        NOT NULL
);

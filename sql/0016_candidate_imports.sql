-- Bulk CSV imports (POST /candidates/imports). The API streams the file into candidate_import_rows,
-- one row per CSV record, checked as it is read (error holds the field errors of a refused record),
-- and answers with the import's job, whose id is the import's id. The job moves the rows into
-- candidates in batches of `seq`; each batch deletes its staged rows, inserts the candidates with
-- their first history entry and their counters, and advances next_seq in the same statement, so a
-- run that dies resumes at next_seq with no duplicate and no gap. Refused rows stay until the job
-- has written its report (the first 1,000 with their line numbers) into result.

CREATE TABLE candidate_imports (
    id          uuid         PRIMARY KEY,
    tenant_id   varchar(63)  NOT NULL,
    created_by  varchar(254) NOT NULL,
    created_at  timestamptz  NOT NULL,
    rows        integer      NOT NULL,            -- records read (the header excluded)
    invalid     integer      NOT NULL,            -- records refused while reading
    next_seq    integer      NOT NULL DEFAULT 1,  -- checkpoint: records before it are done
    imported    integer      NOT NULL DEFAULT 0,
    existing    integer      NOT NULL DEFAULT 0,  -- records whose candidate was already stored
    over_limit  integer      NOT NULL DEFAULT 0,  -- records refused at the tenant's max_candidates
    result      text,                             -- the job's report, written once, when it ends
    finished_at timestamptz
);
CREATE INDEX candidate_imports_created ON candidate_imports (created_at);

CREATE TABLE candidate_import_rows (
    import_id     uuid    NOT NULL,
    seq           integer NOT NULL,  -- record number, from 1
    line          integer NOT NULL,  -- line of the file where the record starts (the header is line 1)
    candidate_id  uuid,              -- null when refused
    company_name  text,
    contact_email text,
    contact_phone text,
    products      text[],
    error         text,              -- JSON field errors of a refused record
    PRIMARY KEY (import_id, seq)
) WITH (autovacuum_vacuum_scale_factor = 0.01);
-- The report reads refused records in order without walking the accepted ones.
CREATE INDEX candidate_import_rows_refused ON candidate_import_rows (import_id, seq) WHERE error IS NOT NULL;

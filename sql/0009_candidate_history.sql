-- Candidate history out of the grain's state: the state used to keep every entry, so each write
-- rewrote a history that only grows (a candidate changed often ended up writing 100+ KiB per
-- change). Now the state carries only the entries not yet known to be stored (history) and how
-- many came before them (history_flushed); the projection trigger appends them here in the same
-- transaction as the grain's write. Idempotent: a replayed entry (same candidate, same seq) is ignored.

CREATE TABLE candidate_history (
    candidate_id uuid         NOT NULL,
    seq          integer      NOT NULL,
    at           timestamptz  NOT NULL,
    actor        varchar(254) NOT NULL,
    action       varchar(32)  NOT NULL,
    from_status  varchar(16),
    to_status    varchar(16)  NOT NULL,
    note         text,
    PRIMARY KEY (candidate_id, seq)
);

CREATE FUNCTION project_candidate_history() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE p jsonb := NEW.payload;
BEGIN
    IF p IS NULL OR coalesce(p->>'id', '') = '' OR jsonb_typeof(p->'history') IS DISTINCT FROM 'array' THEN
        RETURN NULL;
    END IF;
    INSERT INTO candidate_history (candidate_id, seq, at, actor, action, from_status, to_status, note)
    SELECT (p->>'id')::uuid, coalesce((p->>'history_flushed')::integer, 0) + e.ord::integer - 1,
           (e.v->>'at')::timestamptz, e.v->>'actor', e.v->>'action', e.v->>'from', e.v->>'to', e.v->>'note'
      FROM jsonb_array_elements(p->'history') WITH ORDINALITY AS e(v, ord)
    ON CONFLICT (candidate_id, seq) DO NOTHING;
    RETURN NULL;
END $$;

CREATE TRIGGER candidates_history AFTER INSERT OR UPDATE OF payload ON grain_state
    FOR EACH ROW WHEN (NEW.graintypestring = 'candidate') EXECUTE FUNCTION project_candidate_history();

-- Candidates stored before this migration hold their whole history in the state: copy it.
INSERT INTO candidate_history (candidate_id, seq, at, actor, action, from_status, to_status, note)
SELECT (g.payload->>'id')::uuid, coalesce((g.payload->>'history_flushed')::integer, 0) + e.ord::integer - 1,
       (e.v->>'at')::timestamptz, e.v->>'actor', e.v->>'action', e.v->>'from', e.v->>'to', e.v->>'note'
  FROM grain_state g, jsonb_array_elements(g.payload->'history') WITH ORDINALITY AS e(v, ord)
 WHERE g.graintypestring = 'candidate' AND coalesce(g.payload->>'id', '') <> ''
   AND jsonb_typeof(g.payload->'history') = 'array'
ON CONFLICT (candidate_id, seq) DO NOTHING;

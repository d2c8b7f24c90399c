-- One row per recipient of an email.send job (seed 002's email_send_history): what was sent, when,
-- and on which attempt. A retried job reads it to send only to recipients not yet sent.

CREATE TABLE email_deliveries (
    job_id    uuid         NOT NULL,
    recipient varchar(254) NOT NULL,
    tenant_id varchar(63)  NOT NULL,
    status    varchar(8)   NOT NULL,   -- sent | failed
    error     text,
    attempt   integer      NOT NULL,
    sent_at   timestamptz  NOT NULL,
    PRIMARY KEY (job_id, recipient)
);
CREATE INDEX email_deliveries_tenant ON email_deliveries (tenant_id, sent_at);

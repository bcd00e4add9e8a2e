-- Idempotent claims (SPEC R12 "Idempotency-Key"): a claim that took a workspace is remembered under the client's
-- key, with the answer it gave, for 24 hours. Written by the claim statement itself (one statement with the
-- hand-over); the primary key decides between two claims with the same key that run at once, on any replica: the
-- second one's insert waits for the first to commit, fails, and its whole statement (its hand-over too) is undone.
-- A claim that found nothing is not stored. Rows older than 24 h are deleted a few at a time by later keyed
-- claims (JooqWorkspaceAdapter); the answer is a copy, so a replay answers exactly what the first claim did.
create table claim_idempotency_keys (
    key                  text        primary key,
    -- What the claim asked for: the same key for another preset or owner is a conflict.
    template             text        not null,
    preset               text        not null,
    owner                text        not null,
    -- What it answered.
    workspace_id         uuid        not null,
    preset_version       text        not null,
    name                 text        not null,
    workspace_created_at timestamptz not null,
    claimed_at           timestamptz not null,
    outputs              jsonb       not null,
    constraint claim_idempotency_keys_key_format check (key ~ '^[\x21-\x7E]{1,255}$'),
    constraint claim_idempotency_keys_outputs_object check (jsonb_typeof(outputs) = 'object')
);
-- Pruning: the oldest first.
create index claim_idempotency_keys_by_age on claim_idempotency_keys (claimed_at);

-- Readiness (SPEC R10) and liveness (R11).
--
-- Two new workspace phases: 'provisioned' (the create succeeded, the preset has readiness, not ready yet; counted
-- as starting) and 'unhealthy' (liveness found a ready prebuild unhealthy or gone; never eligible, deleted with the
-- reason UNHEALTHY). 'running' keeps meaning "ready": the claim statements and the prebuild-ready trigger (V6) stay
-- right. The new values are only used by later statements (a value added by ALTER TYPE cannot be used in the
-- transaction that adds it), so this migration compares no phase with them.
alter type workspace_phase add value 'provisioned' after 'starting';
alter type workspace_phase add value 'unhealthy' after 'running';

-- The preset's policy (may change in place, like instances and ttl). No readiness: check is null.
alter table presets
    add column readiness_check        text,
    add column readiness_timeout_ms   bigint,
    add column health_interval_ms     bigint,
    add column health_unhealthy_after integer,
    add constraint presets_readiness_check check (readiness_check in ('provisioner', 'agent')),
    add constraint presets_readiness_whole
        check ((readiness_check is null) = (readiness_timeout_ms is null) and (readiness_timeout_ms is null or readiness_timeout_ms > 0)),
    add constraint presets_health_whole
        check ((health_interval_ms is null) = (health_unhealthy_after is null)
               and (health_interval_ms is null or health_interval_ms > 0)
               and (health_unhealthy_after is null or health_unhealthy_after >= 1));

-- Per workspace:
--  ready_deadline: a provisioned workspace not ready by then fails its create (R10);
--  next_check_at:  when its next readiness or liveness check is due; also the lease of a check a worker has taken
--                  (moved ahead when taken), so checks are no rows of the builds table and never flood its history;
--  unhealthy_answers: consecutive non-ready answers of liveness checks (R11), reset by 'ready';
--  agent_token_sha256: hex SHA-256 of the workspace's agent token (R10 agent); the token itself is never stored.
alter table workspaces
    add column ready_deadline     timestamptz,
    add column next_check_at      timestamptz,
    add column unhealthy_answers  integer not null default 0,
    add column agent_token_sha256 text;

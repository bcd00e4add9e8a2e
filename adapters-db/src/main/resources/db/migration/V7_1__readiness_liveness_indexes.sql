-- Due checks (R10, R11): prebuilds with a check scheduled, by when it is due. Kept small: only provisioned and
-- ready prebuilds have next_check_at set.
create index workspaces_checks_due on workspaces (next_check_at)
    where owner = 'prebuilds' and next_check_at is not null and phase in ('provisioned', 'running');
-- Readiness deadlines of provisioned prebuilds.
create index workspaces_ready_deadline on workspaces (ready_deadline)
    where phase = 'provisioned';
-- The agent ready route: whose token is this (another workspace's → 403)?
create index workspaces_agent_token on workspaces (agent_token_sha256) where agent_token_sha256 is not null;
-- The snapshot reads provisioned and unhealthy prebuilds too.
create index workspaces_prebuilds_checked on workspaces (preset_id)
    where owner = 'prebuilds' and phase in ('provisioned', 'unhealthy');

-- Due checks (R10, R11): prebuilds with a check scheduled, by when it is due. Kept small: only provisioned and
-- ready prebuilds have next_check_at set.
create index workspaces_checks_due on workspaces (next_check_at)
    where owner = 'prebuilds' and next_check_at is not null and phase in ('provisioned', 'running');
-- Readiness deadlines of provisioned prebuilds.
create index workspaces_ready_deadline on workspaces (ready_deadline)
    where phase = 'provisioned';
-- The snapshot reads provisioned and unhealthy prebuilds too.
create index workspaces_prebuilds_checked on workspaces (preset_id)
    where owner = 'prebuilds' and phase in ('provisioned', 'unhealthy');

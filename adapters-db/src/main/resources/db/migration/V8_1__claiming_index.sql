-- The reaper of stale reservations (SPEC R12) looks for 'claiming' workspaces by age on every replica, often.
create index workspaces_claiming on workspaces (claiming_at) where phase = 'claiming';

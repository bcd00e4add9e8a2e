-- Waiting claims (SPEC R12 "wait"): one row per claim waiting for a prebuild, in every replica.
--
-- The id is the waiter's place in its preset's queue: an identity, so it increases in the order the joins ran,
-- whichever replica ran them. A waiter takes a prebuild only when no older row of its preset is still live
-- (expires_at after the claim's now; the claim statement checks it). A row whose replica died is ignored once it
-- expires (at the end of its claim's wait) and removed at the next join of its preset. No foreign key: presets are
-- never deleted, and the join statement takes the preset id from the presets table itself.
create table claim_waiters (
    id         bigint      generated always as identity primary key,
    preset_id  bigint      not null,
    expires_at timestamptz not null
);
create index claim_waiters_by_preset on claim_waiters (preset_id, id);

-- A prebuild becomes eligible (its create succeeded: phase running, still owned by prebuilds): tell every
-- replica's waiters of its preset, after commit, on the channel warmpool_prebuild_ready. The payload is the JSON
-- array [template, version, preset], as the nudges' (adapters-db PostgresNudgeAdapter).
create function claim_waiters_prebuild_ready() returns trigger
    language plpgsql as $$
begin
    perform pg_notify('warmpool_prebuild_ready', json_build_array(t.name, v.name, p.name)::text)
    from presets p
    join template_versions v on v.id = p.version_id
    join templates t on t.id = v.template_id
    where p.id = new.preset_id;
    return null;
end
$$;

create trigger workspaces_prebuild_ready
    after update of phase on workspaces
    for each row
    when (new.phase = 'running' and new.owner = 'prebuilds' and old.phase is distinct from 'running')
    execute function claim_waiters_prebuild_ready();

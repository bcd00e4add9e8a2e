-- warmpool schema. Every timestamp is written from the application's injected clock, never now(),
-- so that virtual time (the simulator) works against the real database.

create type preset_status as enum ('healthy', 'hard_limited', 'validation_failed');
create type workspace_phase as enum ('starting', 'running', 'failed', 'deleting', 'deleted');
create type build_transition as enum ('create', 'delete');
create type build_status as enum ('pending', 'running', 'succeeded', 'failed', 'canceled');

create table templates (
    id          bigint generated always as identity primary key,
    name        text        not null unique,
    deprecated  boolean     not null default false,
    deleted     boolean     not null default false,
    created_at  timestamptz not null,
    updated_at  timestamptz not null,
    constraint templates_name_format check (name ~ '^[a-z0-9][a-z0-9-]{0,62}$')
);

create table template_versions (
    id          bigint generated always as identity primary key,
    template_id bigint      not null references templates (id),
    name        text        not null,
    active      boolean     not null default false,
    created_at  timestamptz not null,
    constraint template_versions_unique_name unique (template_id, name),
    constraint template_versions_name_format check (name ~ '^[a-z0-9][a-z0-9-]{0,62}$')
);
-- At most one active version per template, enforced by the schema.
create unique index template_versions_one_active on template_versions (template_id) where active;

create table presets (
    id             bigint generated always as identity primary key,
    version_id     bigint      not null references template_versions (id),
    name           text        not null,
    parameters     jsonb       not null default '{}'::jsonb,
    instances      integer     not null,
    ttl_ms         bigint      not null default 0,
    timezone       text        not null default 'UTC',
    invalidated_at timestamptz,
    created_at     timestamptz not null,
    updated_at     timestamptz not null,
    constraint presets_unique_name unique (version_id, name),
    constraint presets_name_format check (name ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
    constraint presets_instances_range check (instances between 0 and 1000),
    constraint presets_ttl_not_negative check (ttl_ms >= 0),
    constraint presets_parameters_object check (jsonb_typeof(parameters) = 'object')
);

create table preset_schedule_windows (
    preset_id bigint  not null references presets (id) on delete cascade,
    position  integer not null,
    cron      text    not null,
    instances integer not null,
    primary key (preset_id, position),
    constraint preset_schedule_windows_instances_range check (instances between 0 and 1000)
);

-- The per-preset failure state of R3-R5: persisted and shared by every replica.
create table preset_failure_states (
    preset_id            bigint        primary key references presets (id),
    consecutive_failures integer       not null default 0,
    last_failure_at      timestamptz,
    retry_not_before     timestamptz,
    status               preset_status not null default 'healthy',
    updated_at           timestamptz   not null,
    constraint preset_failure_states_k_not_negative check (consecutive_failures >= 0),
    constraint preset_failure_states_clean_when_zero
        check (consecutive_failures > 0 or (last_failure_at is null and retry_not_before is null))
);

create table workspaces (
    id         uuid            primary key,
    preset_id  bigint          not null references presets (id),
    owner      text            not null,
    name       text            not null,
    -- phase follows the workspace's latest build; kept in the same transaction as the build change.
    phase      workspace_phase not null,
    created_at timestamptz     not null,
    ready_at   timestamptz,
    failed_at  timestamptz,
    claimed_at timestamptz,
    deleted_at timestamptz,
    outputs    jsonb           not null default '{}'::jsonb,
    constraint workspaces_outputs_object check (jsonb_typeof(outputs) = 'object'),
    constraint workspaces_failed_has_time check (phase <> 'failed' or failed_at is not null)
);
-- Claims: the oldest running prebuild of a preset.
create index workspaces_claimable on workspaces (preset_id, created_at, id)
    where owner = 'prebuilds' and phase = 'running';
-- Snapshot: running and failed prebuilds of every preset.
create index workspaces_prebuilds on workspaces (preset_id)
    where owner = 'prebuilds' and phase in ('running', 'failed');
create index workspaces_by_owner on workspaces (owner, created_at desc);
create index workspaces_by_preset on workspaces (preset_id, created_at desc);

create table builds (
    id           bigint generated always as identity primary key,
    workspace_id uuid             not null references workspaces (id),
    preset_id    bigint           not null references presets (id),
    transition   build_transition not null,
    status       build_status     not null,
    reason       text,
    attempt      integer          not null default 0,
    worker       text,
    not_before   timestamptz      not null,
    created_at   timestamptz      not null,
    started_at   timestamptz,
    heartbeat_at timestamptz,
    finished_at  timestamptz,
    error_code   text,
    error        text,
    log          text,
    constraint builds_error_bounded check (length(error) <= 8192),
    constraint builds_log_bounded check (length(log) <= 65536),
    constraint builds_running_has_worker check (status <> 'running' or (worker is not null and heartbeat_at is not null))
);
-- Job acquisition: deletes before creates ('delete' sorts after 'create'), then oldest first.
create index builds_pending on builds (transition desc, id) where status = 'pending';
-- Reaping lost jobs.
create index builds_running on builds (heartbeat_at) where status = 'running';
-- Snapshot: in-flight builds per preset.
create index builds_in_flight on builds (preset_id) where status in ('pending', 'running');
create index builds_by_workspace on builds (workspace_id, id);

create table settings (
    key        text        primary key,
    value      text        not null,
    updated_at timestamptz not null
);

create table events (
    id           bigint generated always as identity primary key,
    at           timestamptz not null,
    type         text        not null,
    preset_id    bigint      references presets (id),
    workspace_id uuid,
    details      jsonb       not null default '{}'::jsonb
);
create index events_by_time on events (at);
create index events_by_preset on events (preset_id, at);

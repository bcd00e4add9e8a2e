-- What operators look back on (the dashboard), shared by every replica: the last pass each replica ran, and
-- samples of every pool, at most one per preset and minute. Both are pruned after a day by the service.

create table reconcile_passes (
    replica     text        primary key,
    started_at  timestamptz not null,
    duration_ms bigint      not null,
    presets     integer     not null,
    creates     integer     not null,
    deletes     integer     not null,
    cancels     integer     not null,
    failures    integer     not null
);

create table pool_samples (
    preset_id bigint      not null references presets (id),
    -- at truncated to the minute: the key that keeps one sample per preset and minute across replicas
    minute    timestamptz not null,
    at        timestamptz not null,
    desired   integer     not null,
    eligible  integer     not null,
    starting  integer     not null,
    failed    integer     not null,
    primary key (preset_id, minute)
);
-- Pruning.
create index pool_samples_by_minute on pool_samples (minute);

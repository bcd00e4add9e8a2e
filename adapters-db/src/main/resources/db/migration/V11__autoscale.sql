-- Demand-driven sizing (SPEC R13).
--
-- The preset's autoscale policy (may change in place, like instances, ttl and the checks of V7): all four columns
-- null (no autoscale) or all four set, in Autoscale's ranges.
alter table presets
    add column autoscale_target_hit_rate double precision,
    add column autoscale_min             integer,
    add column autoscale_max             integer,
    add column autoscale_lookback_ms     bigint,
    add constraint presets_autoscale_whole
        check ((autoscale_target_hit_rate is null) = (autoscale_min is null)
               and (autoscale_min is null) = (autoscale_max is null)
               and (autoscale_max is null) = (autoscale_lookback_ms is null)),
    add constraint presets_autoscale_range
        check (autoscale_target_hit_rate is null
               or (autoscale_target_hit_rate > 0 and autoscale_target_hit_rate < 1
                   and autoscale_min >= 0 and autoscale_min <= autoscale_max and autoscale_max <= 1000
                   and autoscale_lookback_ms between 3600000 and 7776000000));

-- Claim arrivals (served and missed), counted in memory by each replica and added here in batches. Keyed by template
-- and preset name, not by preset row: a new template version keeps the history of its preset's name
-- (docs/decisions.md). Hours and minutes are UTC starts ([hour, hour + 1h)); rows exist only for periods with
-- arrivals. Hourly rows are kept for the longest lookback of any preset, minute rows for two hours (the last-hour
-- count of R13 with room for late flushes); the service prunes both.
create table demand_hours (
    template text        not null,
    preset   text        not null,
    hour     timestamptz not null,
    claims   integer     not null,
    primary key (template, preset, hour),
    constraint demand_hours_claims_positive check (claims > 0)
);
create index demand_hours_by_hour on demand_hours (hour);

create table demand_minutes (
    template text        not null,
    preset   text        not null,
    minute   timestamptz not null,
    claims   integer     not null,
    primary key (template, preset, minute),
    constraint demand_minutes_claims_positive check (claims > 0)
);
create index demand_minutes_by_minute on demand_minutes (minute);

-- Build times (R13 T): a preset's latest creates that became ready, newest first, without reading its others.
create index workspaces_ready_by_preset on workspaces (preset_id, created_at desc) include (ready_at)
    where ready_at is not null;

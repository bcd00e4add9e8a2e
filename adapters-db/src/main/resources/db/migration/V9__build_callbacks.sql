-- Asynchronous builds (issue 15, SPEC §4 http): a provisioner may accept a create or delete (HTTP 202) and report
-- its outcome later by a signed callback that any replica may receive. Such a build stays 'running' but no worker
-- holds it any more (the worker's slot is free): awaiting_callback_until is its deadline, set when the worker
-- recorded the acceptance, and kept after the build finished (history: it was asynchronous, and until when).
-- A running build with a deadline is never reaped as lost (its heartbeat stops on purpose); at the deadline it is
-- failed as callback_timeout by any replica's reaper.
alter table builds add column awaiting_callback_until timestamptz;

-- The reaper's look-up of overdue callbacks.
create index builds_awaiting_callback on builds (awaiting_callback_until)
    where status = 'running' and awaiting_callback_until is not null;

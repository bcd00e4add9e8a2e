-- The queue tables check their references in the statements that write them, not row by row.
--
-- Enqueueing a create writes a workspace and its pending build; the three foreign keys below fired a
-- trigger per row each (a look-up and a FOR KEY SHARE lock, WAL-logged for the just-inserted workspace),
-- which was about half of PostgreSQL's CPU for an enqueue (docs/benchmarks.md, "enqueue").
--
-- Nothing they guarded is left unguarded. Presets, workspaces and builds are never deleted (a deleted
-- workspace is kept, as history), so no reference can dangle later; and every row is written by
-- adapters-db statements that take their references from the referenced rows themselves:
--   * an enqueued workspace's preset: the statement keeps only rows whose preset exists (a semi-join on
--     presets) and the batch fails unless every row was kept;
--   * a create build: inserted by the same statement as its workspace, from the same rows;
--   * a delete build: inserted from the UPDATE ... RETURNING of its (locked) workspace.
-- The preset references of preset_failure_states, preset_schedule_windows and events keep their keys.
alter table builds drop constraint builds_workspace_id_fkey;
alter table builds drop constraint builds_preset_id_fkey;
alter table workspaces drop constraint workspaces_preset_id_fkey;

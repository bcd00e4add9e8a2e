-- Claim handoff (SPEC R12): a claim first reserves a prebuild (phase 'claiming', still owned by prebuilds, never
-- eligible, counted nowhere in the pool), then asks the provisioner's claim transition to hand it over, then
-- finishes it (new owner and name, phase 'running', merged outputs) or deletes it (reason CLAIM_FAILED). Only used
-- when the provisioner supports the claim transition; otherwise a claim stays the one statement of V1.
--
-- The new value cannot be used in the transaction that adds it (Flyway runs a migration in one transaction): the
-- index that names it is in V8_1.
alter type workspace_phase add value if not exists 'claiming';

-- When the reservation was made: the reservation's identity (finishing or abandoning it checks it, so a reservation
-- reaped and reserved again by another claim cannot be finished by the first) and its age (a 'claiming' workspace
-- older than claim-timeout lost its replica and is deleted by any replica).
alter table workspaces add column claiming_at timestamptz;

-- A keyed claim (Idempotency-Key) stores its key when it reserves, marked pending, so that a second request with
-- the same key, on any replica, never reserves a second workspace: it waits for the pending one to be finished
-- (the answer is then the handed-over workspace with its merged outputs) or abandoned (the row is deleted).
alter table claim_idempotency_keys add column pending boolean not null default false;

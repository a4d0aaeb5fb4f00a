// Migration 8: the appointment writes and an invitation's revocation run on the store pool
// (issue 10 item 7, docs/security.md "What runs off the control thread"). Each such
// change records the random id of the request that made it, so that the undo of a change
// whose audit event failed takes back that change and no other: `time_change` (the last
// reschedule), `status_change` (the cancel), `revocation` (a revocation, also by a
// cancel), `end_change` (a room's end by a cancel; '-' once anyone ends the room again,
// so neither the cancel's undo nor the other end's undo reopens it; '' an end by
// Store::endRoom alone, which its reopenRoom may undo), `add_change` (a staff member's
// add, their guest record moved to waiting; a change of state makes it "kept:<id>", no
// longer undoable but not yet audited, the waiting line's bookkeeping leaves it). ''
// means none or no longer undoable: a request that was told "already revoked/cancelled",
// or a change whose event is durable (Store::settleChange), clears it; for add_change
// only settleChange does (a repeat add that adopts a pending one keys it to itself).
// `revoked_by` is the user id that revoked (ids only).
// Never edit a released migration.
R"sql(
ALTER TABLE appointments ADD COLUMN time_change TEXT NOT NULL DEFAULT '';
ALTER TABLE appointments ADD COLUMN status_change TEXT NOT NULL DEFAULT '';
ALTER TABLE invitations ADD COLUMN revoked_by TEXT NOT NULL DEFAULT '';
ALTER TABLE invitations ADD COLUMN revocation TEXT NOT NULL DEFAULT '';
ALTER TABLE rooms ADD COLUMN end_change TEXT NOT NULL DEFAULT '';
ALTER TABLE guests ADD COLUMN add_change TEXT NOT NULL DEFAULT '';
)sql"

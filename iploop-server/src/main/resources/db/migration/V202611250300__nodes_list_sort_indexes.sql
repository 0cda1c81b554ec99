-- /api/nodes and /api/v2/nodes page in SQL ordered by created_at (then id), per owner or, for admins,
-- over every node: both orders come from an index instead of sorting the whole table per page.
CREATE INDEX nodes_owner_created_idx ON nodes (owner_user_id, created_at, id);
CREATE INDEX nodes_created_idx ON nodes (created_at, id);
-- nodes_owner_idx (owner_user_id) is a prefix of nodes_owner_created_idx
DROP INDEX nodes_owner_idx;

-- A cloned device id (copied disk or volume): the hub keeps the established session and refuses the
-- newcomer (docs/protocol.md §4.1). The last refusal is kept on the node so the operator's devices page
-- can say where the copy connected from and when (docs/product/earn.md#earn-dashboard).
ALTER TABLE nodes ADD COLUMN last_id_clash_at timestamptz;
ALTER TABLE nodes ADD COLUMN last_id_clash_ip inet;

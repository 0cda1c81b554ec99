-- The dashboard's state wins over the agent's (docs/product/nodes.md): a device name the owner set
-- on the dashboard is kept when the agent reconnects or registers again with its own name.
ALTER TABLE nodes ADD COLUMN name_set_by_owner boolean NOT NULL DEFAULT false;

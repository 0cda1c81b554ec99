-- Auto-ban rules (docs/moderation.md#auto-ban-rules) moderate nodes with no admin behind them: such a
-- row names the rule instead of a user. Every row still has one author, a user or a rule.
ALTER TABLE node_moderations ALTER COLUMN created_by DROP NOT NULL;
ALTER TABLE node_moderations ADD COLUMN rule varchar(40);
ALTER TABLE node_moderations ADD CONSTRAINT node_moderations_author CHECK (created_by IS NOT NULL OR rule IS NOT NULL);

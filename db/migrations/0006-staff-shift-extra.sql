-- Reports read a shift's orders, and managers filter the audit log by action and by who
-- did or approved an action: indexes so neither scans the whole history.
CREATE INDEX orders_shift ON orders (shift_id, kind, state);
CREATE INDEX audit_action ON audit (action, at);
CREATE INDEX audit_staff ON audit (staff_id, at);
CREATE INDEX audit_approved_by ON audit (approved_by, at);

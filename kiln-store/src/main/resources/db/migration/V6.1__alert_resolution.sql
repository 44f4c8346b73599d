-- Who resolved an alert and why, when a person did (POST /api/alerts/{alert}/resolve); both stay null when the
-- monitor resolved it because its rule cleared.
ALTER TABLE alerts ADD COLUMN resolved_by VARCHAR(200);
ALTER TABLE alerts ADD COLUMN resolve_reason TEXT;

"""The migration scripts, one per schema change of a durable table, applied in order."""

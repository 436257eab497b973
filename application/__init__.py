"""The service layer: commands, their handlers (plain functions), authorization, idempotency, the clock."""

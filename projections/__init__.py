"""Read models: each projection follows the one log with its own tracking position and owns its tables."""

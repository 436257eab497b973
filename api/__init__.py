"""The outside of Zeren: the HTTP API (one router per bounded context), auth, problem+json, the CLI."""

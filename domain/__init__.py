"""The pure domain model of Zeren: aggregates, events, value objects and rules. No I/O here."""

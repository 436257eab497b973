"""The event stream for external systems (docs/architecture.md §7; contract in ``docs/stream.md``).

- ``envelope``: every stored event as a CloudEvents 1.0 structured JSON envelope, the one published shape;
- ``schemas``: a JSON Schema per event type, generated from the event classes (``docs/schemas/``);
- ``feed``: the same envelopes over HTTP, in log order, scoped to a jurisdiction;
- ``relay``: follows the log and publishes the envelopes to Kafka, at least once, per-aggregate in order.
"""

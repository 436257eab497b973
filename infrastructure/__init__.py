"""Adapters: persistence, read-model database, encryption, audit seal, Kafka relay."""

"""The audit seal: the log hashed into an RFC 9162 Merkle tree, signed tree heads, bundles and checks
(docs/architecture.md §8).

Modules: ``merkle`` (the tree and its proofs, pure), ``leaves`` (the canonical leaf encoding), ``signing`` (Ed25519
tree heads and keys), ``bundle`` (the bundle layout and its offline verification — it imports no store),
``log`` (stored events as the database holds them), ``tree`` (the stored tree), ``sealer`` (the follower that seals),
``export`` (writing bundles), ``check`` (the live store against its seals), ``service`` (the facade the API uses).
``docs/audit.md`` specifies every byte.
"""

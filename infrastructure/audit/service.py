"""The audit seal of one deployment, as the API and the CLI use it: sealer, stored tree, proofs, exports, check."""

from __future__ import annotations

from datetime import timedelta
from functools import cached_property
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from application.ports import Clock
from domain.errors import NotFound, Rejected
from domain.jurisdiction import covers
from infrastructure.audit.check import CheckReport, check
from infrastructure.audit.cosigning import Cosigning, WitnessAddress
from infrastructure.audit.export import Export, Selection
from infrastructure.audit.log import StoredLog
from infrastructure.audit.note import Verifier
from infrastructure.audit.sealer import Sealer
from infrastructure.audit.signing import Signer, TreeHead, configured_public_key, configured_signer, key_id
from infrastructure.audit.tree import StoredTree
from infrastructure.database import Database
from infrastructure.eventstore import EventStore
from infrastructure.notifications import of_log
from infrastructure.settings import Settings


class Audit:
    def __init__(self, db: Database, store: EventStore, settings: Settings, clock: Clock):
        self.db = db
        self.settings = settings
        self.clock = clock
        self.store = store
        self.log = StoredLog(store.recorder)
        self.tree = StoredTree(db)
        self.cosigning = Cosigning(db, self.tree, settings.resolved_audit_origin, [
            WitnessAddress(w["url"], Verifier.parse(w["vkey"])) for w in settings.audit_witnesses])
        self.sealer = Sealer(db, self.log, lambda: self.signer, clock, every_events=settings.seal_every_events,
                             cosigning=self.cosigning,
                             every_minutes=settings.seal_every_minutes,
                             clock_skew_seconds=settings.audit_clock_skew_seconds,
                             notifications=of_log(getattr(db, "conninfo", None), store.recorder))

    @cached_property
    def signer(self) -> Signer:
        """The signing key (``ZEREN_AUDIT_KEY_PATH``, else generated into ``data_dir``), loaded on first use."""
        return configured_signer(self.settings.audit_key_path, self.settings.data_dir)

    @cached_property
    def public_key(self) -> Ed25519PublicKey:
        """The public key of this deployment's heads (``ZEREN_AUDIT_KEY_PATH``.pub when present: no private key
        needed to verify)."""
        return configured_public_key(self.settings.audit_key_path, self.settings.data_dir)

    def keys(self) -> dict[bytes, Ed25519PublicKey]:
        """The public keys heads of this deployment are checked against."""
        return {key_id(self.public_key): self.public_key}

    def setup(self) -> None:
        self.sealer.setup()

    def latest_head(self) -> TreeHead:
        with self.db.read() as conn:
            head = self.tree.latest_head(conn)
        if head is None:
            raise NotFound("nothing-sealed", "no tree head is signed yet")
        return head

    def heads(self, after: int = 0, limit: int = 100) -> list[TreeHead]:
        with self.db.read() as conn:
            return self.tree.heads(conn, after=after, limit=limit)

    def inclusion(self, position: int, tree_size: int | None, scope: str) -> dict[str, Any]:
        """The inclusion proof of the event at ``position`` in the tree of ``tree_size`` leaves (default: the latest
        head's); only for events in the caller's jurisdiction."""
        event = self.log.at(position)
        if event is None or not covers(scope, event.jurisdiction):
            raise NotFound("not-found", f"no stored event at position {position} in your jurisdiction")
        with self.db.read() as conn:
            leaf = self.tree.leaf_at(conn, position)
            if leaf is None:
                raise NotFound("not-sealed", f"the event at position {position} is not sealed yet")
            size = self._tree_size(conn, tree_size, "tree_size")
            if leaf["leaf_index"] >= size:
                raise Rejected("not-in-tree", f"position {position} is leaf {leaf['leaf_index']}, not in the tree "
                               f"of {size} leaves: ask for a larger tree_size", field="tree_size")
            path = self.tree.inclusion(conn, leaf["leaf_index"], size)
            root = self.tree.root(conn, size)
        return {"position": position, "leaf_index": leaf["leaf_index"], "tree_size": size,
                "leaf_hash": bytes(leaf["leaf_hash"]).hex(), "root_hash": root.hex(),
                "inclusion_path": [h.hex() for h in path]}

    def consistency(self, first: int, second: int | None) -> dict[str, Any]:
        """The consistency proof from the tree of ``first`` leaves to the tree of ``second`` (default: the latest
        head's)."""
        with self.db.read() as conn:
            size = self._tree_size(conn, second, "second")
            if not 1 <= first <= size:
                raise Rejected("tree-size-out-of-range", f"first must lie in 1…{size}", field="first")
            path = self.tree.consistency(conn, first, size)
            first_root, second_root = self.tree.root(conn, first), self.tree.root(conn, size)
        return {"first": first, "second": size, "first_root": first_root.hex(), "second_root": second_root.hex(),
                "consistency_path": [h.hex() for h in path]}

    def _tree_size(self, conn: Any, wanted: int | None, field: str) -> int:
        sealed = self.tree.size(conn)
        if wanted is None:
            head = self.tree.latest_head(conn)
            if head is None:
                raise NotFound("nothing-sealed", "no tree head is signed yet")
            return head.tree_size
        if not 1 <= wanted <= sealed:
            raise Rejected("tree-size-out-of-range", f"{field} must lie in 1…{sealed} (the leaves sealed so far)",
                           field=field)
        return wanted

    def export(self, selection: Selection) -> Export:
        return Export(self.db, self.log, selection, self.clock.now(), self.cosigning.origin)

    def check(self, keys: dict[bytes, Ed25519PublicKey] | None = None) -> CheckReport:
        return check(self.db, self.log, keys or self.keys(), timedelta(seconds=self.settings.audit_clock_skew_seconds))

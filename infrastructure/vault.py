"""Field encryption for personal data: one data key per record, wrapped by the master key, kept apart.

A sealed value in an event reads ``zk1:<key id>:<base64 nonce+ciphertext>`` (AES-256-GCM, the key id as associated
data). Data keys live in the ``data_keys`` table, wrapped with the master key (AES-256-GCM); they are never in the
event log. Shredding a key (crypto-shredding) makes every value sealed with it unreadable for good, while the
events — and the audit seals over their stored bytes — stay exactly as they were (docs/architecture.md §9).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from datetime import UTC, datetime

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import Column, LargeBinary, Table, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from infrastructure.database import Database
from infrastructure.durable import DURABLE
from projections.columns import Key, Timestamp

PREFIX = "zk1"
DATA_KEYS = Table(
    "data_keys", DURABLE,
    Column("key_id", Key, primary_key=True),
    Column("wrapped_key", LargeBinary),
    Column("created_at", Timestamp, nullable=False),
    Column("shredded_at", Timestamp),
)
"""One data key per record, wrapped by the master key; ``wrapped_key`` is NULL once shredded."""


class Shredded(Exception):
    """The data key was destroyed: the sealed value is gone for good."""


class Vault:
    def __init__(self, db: Database, master_key: bytes):
        self.db = db
        self._master = AESGCM(master_key)
        self._digest_key = HKDF(algorithm=SHA256(), length=32, salt=None, info=b"zeren-digest-v1").derive(master_key)

    def _data_key(self, key_id: str, *, create: bool) -> bytes:
        with self.db.transaction() as conn:
            if create:
                nonce, key = os.urandom(12), AESGCM.generate_key(bit_length=256)
                wrapped = nonce + self._master.encrypt(nonce, key, key_id.encode())
                insert = pg_insert if self.db.dialect == "postgres" else sqlite_insert
                conn.execute(insert(DATA_KEYS).values(key_id=key_id, wrapped_key=wrapped, created_at=datetime.now(UTC))
                             .on_conflict_do_nothing(index_elements=[DATA_KEYS.c.key_id]))
            stored = conn.execute(select(DATA_KEYS.c.wrapped_key).where(DATA_KEYS.c.key_id == key_id)).scalar()
        if stored is None:
            raise Shredded(f"data key {key_id} does not exist or was shredded")
        wrapped = bytes(stored)
        return self._master.decrypt(wrapped[:12], wrapped[12:], key_id.encode())

    def seal(self, key_id: str, plaintext: str) -> str:
        """Encrypt ``plaintext`` under the data key ``key_id`` (made on first use)."""
        aes = AESGCM(self._data_key(key_id, create=True))
        nonce = os.urandom(12)
        blob = nonce + aes.encrypt(nonce, plaintext.encode(), key_id.encode())
        return f"{PREFIX}:{key_id}:{base64.urlsafe_b64encode(blob).decode()}"

    def open(self, token: str) -> str:
        """Decrypt a sealed value; raises :class:`Shredded` when its key was destroyed."""
        prefix, _, rest = token.partition(":")
        key_id, _, blob_text = rest.rpartition(":")
        if prefix != PREFIX or not key_id:
            raise ValueError("not a sealed value")
        blob = base64.urlsafe_b64decode(blob_text)
        aes = AESGCM(self._data_key(key_id, create=False))
        return aes.decrypt(blob[:12], blob[12:], key_id.encode()).decode()

    def shred(self, key_id: str) -> bool:
        """Destroy a data key. Returns whether there was a live key to destroy.

        The wrapped key is first overwritten with zeros of its length, then set to NULL, and the table's freed space
        is reclaimed at once (:meth:`Database.erase_freed`): SQLite rewrites the row in place with ``secure_delete``
        on and truncates its WAL file; PostgreSQL keeps every old row version until VACUUM removes it, which it does
        as soon as no transaction older than the shred is open. WAL archives and backups are the operator's
        (docs/audit.md §9)."""
        live = (DATA_KEYS.c.key_id == key_id, DATA_KEYS.c.wrapped_key.is_not(None))
        with self.db.transaction() as conn:
            if self.db.dialect == "sqlite":
                conn.exec_driver_sql("PRAGMA secure_delete = ON")
            wrapped = conn.execute(select(DATA_KEYS.c.wrapped_key).where(*live)).scalar()
            if wrapped is None:
                return False
            conn.execute(update(DATA_KEYS).where(*live).values(wrapped_key=bytes(len(wrapped))))
            conn.execute(update(DATA_KEYS).where(DATA_KEYS.c.key_id == key_id)
                         .values(wrapped_key=None, shredded_at=datetime.now(UTC)))
        self.db.erase_freed(DATA_KEYS.name)
        return True

    def digest(self, purpose: str, value: str) -> str:
        """A keyed digest (HMAC-SHA256) to find equal values without storing them in the clear."""
        return hmac.new(self._digest_key, f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()

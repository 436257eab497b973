"""Response models of ``api.routers.audit``: what it returns, documented field by field in OpenAPI."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class SignedHeadView(BaseModel):
    """A signed tree head (docs/audit.md §5): the tree of ``tree_size`` sealed events had ``root_hash``."""

    format: str = Field(examples=["zeren-tree-head/1"])
    tree_size: int = Field(description="number of leaves (sealed events) the head covers")
    timestamp_ms: int = Field(description="when it was signed, milliseconds since 1970-01-01T00:00:00Z (signed)")
    signed_at: datetime = Field(description="the same moment, readable (not signed)")
    root_hash: str = Field(description="RFC 9162 Merkle tree hash of the first tree_size leaves, hex")
    key_id: str = Field(description="SHA-256 of the raw Ed25519 public key, hex")
    signature: str = Field(description="Ed25519 signature over the canonical head bytes, hex")


class SignedHeadPage(BaseModel):
    items: list[SignedHeadView]
    next_after: int | None = Field(description="pass as `after` for the next page; null when this page is the last")


class InclusionProofView(BaseModel):
    """RFC 9162 §2.1.3: the sealed event at ``position`` is leaf ``leaf_index`` of the tree of ``tree_size``."""

    position: int
    leaf_index: int
    tree_size: int
    leaf_hash: str = Field(description="SHA-256(0x00 ‖ leaf), hex")
    root_hash: str = Field(description="the root the path leads to: compare with a signed head of this size")
    inclusion_path: list[str]


class ConsistencyProofView(BaseModel):
    """RFC 9162 §2.1.4: the tree of ``first`` leaves is a prefix of the tree of ``second`` leaves."""

    first: int
    second: int
    first_root: str
    second_root: str
    consistency_path: list[str]


class AuditProblemView(BaseModel):
    kind: str = Field(description="altered, inserted, missing (events), tree (a stored leaf or node) or head")
    detail: str
    position: int | None
    leaf_index: int | None
    tree_size: int | None


class AuditCheckView(BaseModel):
    """The live store compared with its seals (``zeren audit check``)."""

    ok: bool
    summary: str
    tree_size: int = Field(description="leaves sealed when the check began")
    sealed_position: int
    log_head: int
    events_checked: int
    nodes_checked: int
    heads_checked: int
    problem: AuditProblemView | None = Field(description="the first problem in log order; null when all holds")


class PublicKeyView(BaseModel):
    key_id: str
    pem: str = Field(description="the Ed25519 public key (SubjectPublicKeyInfo PEM) heads are signed with")

"""The provable dossier: its format, and the offline check (docs/dossier.md); ``infrastructure.dossier_build`` builds
it from the sealed log.

A dossier is one JSON document:

- ``content``: what ``domain.dossier.derive`` made of the log — the subject, the four lines, the backtracks, the
  gaps — each line naming the log positions it was built from;
- ``evidence``: every event those positions name, with its exact stored bytes, its leaf index and its inclusion
  proof against ``head``;
- ``head``: the signed tree head (``infrastructure.audit.signing``) every proof refers to.

``verify`` needs no database: it checks the head's signature, recomputes every leaf from its stored bytes and its
inclusion proof, then derives the content again from the evidence alone and compares it with the saved content,
line by line. An altered line, an altered event or an altered head fails with one sentence naming it. What is
proven: every statement of the dossier follows from events sealed in the log under that head. What is not: that no
other event of the log bears on the subject (the dossier is a *subset*, like an audit bundle's subset coverage).
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from uuid import UUID

import orjson
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from domain import dossier as d
from infrastructure.audit import leaves, merkle
from infrastructure.audit.signing import TreeHead, head_problem
from infrastructure.persistence import decode

FORMAT = "zeren-dossier/1"


class DossierInvalid(Exception):
    """The dossier does not verify; the message names the first failing part and why."""


def _evidence(item: Any, head: TreeHead, n: int) -> d.Logged:
    """One evidence event checked against the head: its leaf recomputed from its stored bytes, its proof."""
    try:
        position, index = int(item["position"]), int(item["leaf_index"])
        aggregate_id, version = UUID(item["aggregate_id"]), int(item["aggregate_version"])
        stored = base64.b64decode(item["stored"], validate=True)
        path = [bytes.fromhex(h) for h in item["inclusion_path"]]
        topic = str(item["topic"])
    except (KeyError, TypeError, ValueError) as exc:
        raise DossierInvalid(f"evidence {n} is malformed: {exc}") from None
    leaf = leaves.hash_event(position, aggregate_id, version, topic, stored)
    try:
        merkle.verify_inclusion(index, head.tree_size, leaf, path, head.root_hash)
    except merkle.ProofError as exc:
        raise DossierInvalid(f"evidence {n} (position {position}) is not in the signed tree: {exc}") from None
    event = decode(topic, stored)
    if event.originator_id != aggregate_id or event.originator_version != version:
        raise DossierInvalid(f"evidence {n} (position {position}): its stored bytes name another event")
    return d.Logged(position, event)


def _moment(value: Any, what: str) -> datetime:
    try:
        return datetime.fromisoformat(value)
    except (TypeError, ValueError):
        raise DossierInvalid(f"the dossier's {what} is not a time") from None


def verify(dossier: Mapping[str, Any], keys: Mapping[bytes, Ed25519PublicKey]) -> str:
    """Check a saved dossier offline; returns a one-line summary, raises :class:`DossierInvalid`."""
    if dossier.get("format") != FORMAT:
        raise DossierInvalid(f"not a dossier of format {FORMAT}")
    try:
        head = TreeHead.from_json(dossier.get("head"))
    except ValueError as exc:
        raise DossierInvalid(f"head: {exc}") from None
    problem = head_problem(head, keys)
    if problem:
        raise DossierInvalid(f"head: {problem}")
    logged = [_evidence(item, head, n) for n, item in enumerate(dossier.get("evidence") or [], 1)]
    content = dossier.get("content") or {}
    subject = content.get("subject") or {}
    try:
        again = d.derive(subject.get("kind", ""), UUID(subject.get("id", "")), logged,
                         known_at=_moment(content.get("known_at"), "known_at"),
                         as_of=_moment(content.get("as_of"), "as_of"), scope=str(content.get("scope", "")))
    except (d.NoSubject, KeyError, ValueError) as exc:
        raise DossierInvalid(f"the subject cannot be derived from the evidence: {exc}") from None
    again = orjson.loads(orjson.dumps(again))
    for saved, derived in zip(content.get("lines") or [], again["lines"], strict=False):
        if saved != derived:
            raise DossierInvalid(f"line {saved.get('line')!r} ({saved.get('title')}) differs from what its evidence "
                                 "shows: the dossier was changed")
    for name in ("subject", "as_of", "known_at", "scope", "lines", "gaps"):
        if content.get(name) != again[name]:
            raise DossierInvalid(f"the dossier's {name} differs from what its evidence shows: the dossier was changed")
    return (f"dossier of {subject.get('kind')} {subject.get('id')} verified: {len(again['lines'])} lines from "
            f"{len(logged)} sealed events, head of {head.tree_size} leaves signed {head.signed_at.isoformat()}")

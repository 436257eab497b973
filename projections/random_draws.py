"""The random draws (双随机): each draw with its seed, pools, exclusions and result, so anyone can re-run it
(``domain.random_draws``; seed 003 §27). One aggregate, one read model.

Reads are scoped by jurisdiction and audience: an inspector sees its own department's draws, an enterprise user
none but its own unit's (it has none).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import Boolean, Column, Connection, Integer, MetaData, Table, Text, insert, select, true

from domain import random_draws as rd
from projections.columns import Json, Jurisdiction, Key, Timestamp
from projections.directory import DirectoryQueries
from projections.projection import Projection, on
from projections.scope import within

METADATA = MetaData()
DRAWS = Table(
    "inspection_draws", METADATA,
    Column("draw_id", Key, primary_key=True), Column("department_id", Key, nullable=False), Column("plan_id", Key),
    Column("seed", Text, nullable=False), Column("algorithm", Key, nullable=False),
    Column("target_pool_json", Json, nullable=False), Column("inspector_pool_json", Json, nullable=False),
    Column("targets", Integer, nullable=False), Column("inspectors_per_target", Integer, nullable=False),
    Column("exclude_previous_inspector", Boolean, nullable=False), Column("exclusions_json", Json, nullable=False),
    Column("result_json", Json, nullable=False), Column("rules_version", Key), Column("basis", Text),
    Column("jurisdiction", Jurisdiction, nullable=False), Column("drawn_at", Timestamp, nullable=False),
    Column("recorded_at", Timestamp, nullable=False),
)


class RandomDrawLedger(Projection):
    name = "random_draws"
    version = 2  # 2: jurisdictions in collation "C"
    draws = DRAWS

    @on(rd.RandomDrawMade)
    def _drawn(self, conn: Connection, e: rd.RandomDrawMade, _: int) -> None:
        conn.execute(insert(self.draws).values(
            draw_id=e.originator_id, department_id=e.department_id, plan_id=e.plan_id, seed=e.seed,
            algorithm=e.algorithm, target_pool_json=[str(t) for t in e.target_pool],
            inspector_pool_json=[str(i) for i in e.inspector_pool], targets=e.targets,
            inspectors_per_target=e.inspectors_per_target, exclude_previous_inspector=e.exclude_previous_inspector,
            exclusions_json=[x.model_dump(mode="json") for x in e.exclusions],
            result_json=[a.model_dump(mode="json") for a in e.result], rules_version=e.envelope.rules_version,
            basis=e.envelope.basis, jurisdiction=e.envelope.jurisdiction, drawn_at=e.effective_at,
            recorded_at=e.timestamp))


class DrawQueries:
    def __init__(self, db: Any, directory: DirectoryQueries):
        self.db = db
        self.directory = directory

    def draws(self, scope: str, role: str, unit_id: UUID | None, *, department_id: UUID | None = None,
              draw_id: UUID | None = None) -> list[dict[str, Any]]:
        """Random draws (双随机) with seed, pools, exclusions and result, latest first."""
        d = DRAWS.c
        conditions = [within(d.jurisdiction, scope),
                      d.department_id == str(unit_id) if role in ("enterprise", "inspector") else true()]
        conditions += [c == v for c, v in ((d.department_id, department_id), (d.draw_id, draw_id)) if v is not None]
        with self.db.read() as conn:
            rows = [dict(r) for r in conn.execute(select(DRAWS).where(*conditions)
                                                  .order_by(d.drawn_at.desc(), d.draw_id)).mappings()]
        names = self.directory.unit_names({r["department_id"] for r in rows})
        return [{**r, "department_name": names.get(r["department_id"], {}).get("name")} for r in rows]

"""Random draws (双随机): targets and inspectors drawn at random from pools, reproducibly.

Seed 000 §25 (泉港城管〔2022〕149号): 严格落实安全生产执法检查"双随机"制度 — inspection targets drawn at random from
the target pool, inspectors drawn at random from the inspector pool (国办发〔2015〕58号: 随机抽取检查对象、随机选派
执法检查人员). The event records the seed, both pools as they were (sorted), the parameters, the exclusions and the
result, so anyone can re-run :func:`draw` and get the same answer.

Algorithm ``sha256-rank/1`` (pure, language-independent; a new algorithm gets a new name, old draws keep theirs):

1. Pools are de-duplicated and sorted by their canonical UUID text.
2. Every target ``t`` gets the rank ``SHA-256(seed + "|target|" + t)`` (hex); the ``targets`` lowest ranks are
   drawn, in rank order.
3. For each drawn target, in that order, the inspectors not excluded for it are ordered by (assignments so far in
   this draw, ``SHA-256(seed + "|inspector|" + t + "|" + i)``) and the first ``inspectors_per_target`` form its
   team — so the work spreads evenly and the choice among equals is random.

Exclusion (rules-pack key ``random_draw.exclude_previous_inspector``): when set, an inspector who took part in a
target's latest enforcement inspection is not drawn for it again (轮换). The handler finds those inspectors in the
inspection ledger and the event records each exclusion with the inspection it comes from.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from uuid import UUID

from pydantic import Field

from domain.base import Aggregate, CommandContext, DomainEvent, Frozen, created, first_event, require
from domain.enforcement_teams import MIN_ENFORCEMENT_INSPECTORS, TWO_INSPECTORS_BASIS

ALGORITHM = "sha256-rank/1"
DRAW_BASIS = "泉港城管〔2022〕149号 §25 (双随机); 国办发〔2015〕58号"


class Exclusion(Frozen):
    """An inspector not drawn for a target, and the previous inspection that excluded them."""

    target_id: UUID
    inspector_id: UUID
    previous_inspection_id: UUID


class PreviousInspection(Frozen):
    """A target's latest enforcement inspection and who carried it out (from the inspection ledger)."""

    inspection_id: UUID
    target_id: UUID
    inspector_ids: tuple[UUID, ...]


class Assignment(Frozen):
    """A drawn target and the inspectors drawn to inspect it, in drawing order."""

    target_id: UUID
    inspector_ids: tuple[UUID, ...]


class RandomDraw(Aggregate):
    department_id: UUID
    plan_id: UUID | None
    seed: str
    algorithm: str
    target_pool: tuple[UUID, ...]
    inspector_pool: tuple[UUID, ...]
    targets: int
    inspectors_per_target: int
    exclusions: tuple[Exclusion, ...]
    result: tuple[Assignment, ...]

    def team_for(self) -> dict[UUID, tuple[UUID, ...]]:
        """Drawn target → its drawn inspectors."""
        return {a.target_id: a.inspector_ids for a in self.result}


class RandomDrawMade(DomainEvent):
    """双随机抽取: targets and inspectors drawn from the recorded pools with the recorded seed — re-runnable."""

    term = "双随机抽取"
    context = "inspections"
    department_id: UUID = Field(description="the unit that drew (and will inspect)")
    plan_id: UUID | None
    seed: str
    algorithm: str = Field(description="the drawing algorithm and its version, e.g. sha256-rank/1")
    target_pool: tuple[UUID, ...] = Field(description="the target pool at draw time, sorted")
    inspector_pool: tuple[UUID, ...] = Field(description="the inspector pool at draw time, sorted")
    targets: int = Field(description="how many targets were drawn")
    inspectors_per_target: int
    exclude_previous_inspector: bool = Field(description="what the rules pack said (random_draw.exclude_…)")
    exclusions: tuple[Exclusion, ...]
    result: tuple[Assignment, ...]

    def apply(self, _: None) -> RandomDraw:
        return created(
            RandomDraw, self, department_id=self.department_id, plan_id=self.plan_id, seed=self.seed,
            algorithm=self.algorithm, target_pool=self.target_pool, inspector_pool=self.inspector_pool,
            targets=self.targets, inspectors_per_target=self.inspectors_per_target, exclusions=self.exclusions,
            result=self.result,
        )


def _target_rank(seed: str, target: UUID) -> str:
    return hashlib.sha256(f"{seed}|target|{target}".encode()).hexdigest()


def _inspector_rank(seed: str, target: UUID, inspector: UUID) -> str:
    return hashlib.sha256(f"{seed}|inspector|{target}|{inspector}".encode()).hexdigest()


def sorted_pool(pool: Iterable[UUID]) -> tuple[UUID, ...]:
    """A pool as recorded: de-duplicated, sorted by canonical UUID text."""
    return tuple(sorted(set(pool), key=str))


def draw(seed: str, target_pool: Iterable[UUID], inspector_pool: Iterable[UUID], targets: int,
         inspectors_per_target: int, exclusions: Iterable[Exclusion] = ()) -> tuple[Assignment, ...]:
    """Algorithm ``sha256-rank/1`` (module docstring): the same inputs give the same result, anywhere."""
    pool, inspectors = sorted_pool(target_pool), sorted_pool(inspector_pool)
    require(bool(seed), "seed-required", "a draw needs a seed", field="seed")
    require(1 <= targets <= len(pool), "targets-out-of-range",
            f"draw between 1 and {len(pool)} targets from a pool of {len(pool)}", field="targets")
    require(inspectors_per_target >= MIN_ENFORCEMENT_INSPECTORS, "two-inspectors-required",
            f"a drawn enforcement inspection needs at least {MIN_ENFORCEMENT_INSPECTORS} inspectors",
            field="inspectors_per_target", basis=TWO_INSPECTORS_BASIS)
    excluded = {(e.target_id, e.inspector_id) for e in exclusions}
    chosen = sorted(pool, key=lambda t: (_target_rank(seed, t), str(t)))[:targets]
    load = dict.fromkeys(inspectors, 0)
    result = []
    for target in chosen:
        candidates = [i for i in inspectors if (target, i) not in excluded]
        require(len(candidates) >= inspectors_per_target, "inspector-pool-too-small",
                f"after exclusions only {len(candidates)} inspectors are left for target {target}, "
                f"{inspectors_per_target} are needed: widen the inspector pool", field="inspector_pool")
        team = sorted(candidates, key=lambda i: (load[i], _inspector_rank(seed, target, i), str(i)))
        team = team[:inspectors_per_target]
        for inspector in team:
            load[inspector] += 1
        result.append(Assignment(target_id=target, inspector_ids=tuple(team)))
    return tuple(result)


def exclusions_from(previous: Iterable[PreviousInspection], target_pool: Iterable[UUID],
                    inspector_pool: Iterable[UUID]) -> tuple[Exclusion, ...]:
    """The exclusions the previous inspections imply for these pools, sorted."""
    targets, inspectors = set(target_pool), set(inspector_pool)
    found = {
        Exclusion(target_id=p.target_id, inspector_id=i, previous_inspection_id=p.inspection_id)
        for p in previous if p.target_id in targets for i in p.inspector_ids if i in inspectors
    }
    return tuple(sorted(found, key=lambda e: (str(e.target_id), str(e.inspector_id))))


def make_draw(ctx: CommandContext, draw_id: UUID, *, department_id: UUID, jurisdiction: str, plan_id: UUID | None,
              seed: str, target_pool: Iterable[UUID], inspector_pool: Iterable[UUID], targets: int,
              inspectors_per_target: int, exclude_previous: bool, previous: Iterable[PreviousInspection],
              rules_version: str, basis: str) -> RandomDrawMade:
    """Decide a draw: record the pools, the exclusions the pack asks for, and the result of :func:`draw`."""
    pool, inspectors = sorted_pool(target_pool), sorted_pool(inspector_pool)
    require(bool(pool), "target-pool-empty", "the target pool is empty", field="target_pool")
    exclusions = exclusions_from(previous, pool, inspectors) if exclude_previous else ()
    result = draw(seed, pool, inspectors, targets, inspectors_per_target, exclusions)
    return first_event(
        RandomDrawMade, ctx, id=draw_id, jurisdiction=jurisdiction, basis=ctx.basis or basis,
        rules_version=rules_version, department_id=department_id, plan_id=plan_id, seed=seed, algorithm=ALGORITHM,
        target_pool=pool, inspector_pool=inspectors, targets=targets, inspectors_per_target=inspectors_per_target,
        exclude_previous_inspector=exclude_previous, exclusions=exclusions, result=result,
    )


def rerun(recorded: RandomDrawMade | RandomDraw) -> tuple[Assignment, ...]:
    """Re-run a recorded draw from its seed, pools, parameters and exclusions."""
    require(recorded.algorithm == ALGORITHM, "unknown-algorithm",
            f"this code runs {ALGORITHM}; the draw used {recorded.algorithm}", field="algorithm")
    return draw(recorded.seed, recorded.target_pool, recorded.inspector_pool, recorded.targets,
                recorded.inspectors_per_target, recorded.exclusions)

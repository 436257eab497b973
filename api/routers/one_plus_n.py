""""1+N" 电子台账: one enterprise's master record with its hazards, inspections, people, certificates and duties."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import Depends

from api.deps import AsOf, KnownAt, ReaderDep, SystemDep, consistent, moment, own_unit
from api.problems import responses
from api.routers.accountability_views import ActView, NoticeRow, SlipRow, SummonsRow
from api.routers.blacklist_views import ListingView
from api.routers.hazards import hazard_view
from api.routers.inspections import inspection_view
from api.routers.one_plus_n_views import OnePlusN, OnePlusNSummary, PersonInPost, UnitAccountability
from api.routers.orders_views import OrderView, SuspensionView
from api.routers.organisation import unit_view
from api.routers.responsibility import duty_view
from api.routing import Router
from domain.errors import NotFound

router = Router(tags=["enterprise ledger (1+N)"])


@router.get("/enterprises/{unit_id}/ledger", responses=responses(401, 403, 404, 503),
            dependencies=[Depends(consistent("directory", "responsibility_ledger", "hazard_ledger",
                                             "inspection_ledger", "orders", "blacklist",
                                             "accountability"))],
            summary='The enterprise "1+N" ledger as it stood at as_of, as recorded by known_at')
def enterprise_ledger(unit_id: UUID, system: SystemDep, who: ReaderDep, as_of: AsOf = None,
                      known_at: KnownAt = None) -> OnePlusN:
    found = system.queries.one_plus_n.of(who.jurisdiction, who.role, who.unit_id, own_unit(who, unit_id) or unit_id,
                                         as_of=moment(as_of), known_at=moment(known_at))
    if found is None:
        raise NotFound("not-found", f"no enterprise {unit_id} in your jurisdiction")
    return OnePlusN(unit=unit_view(found["unit"]), summary=OnePlusNSummary(**found["summary"]),
                    hazards=[hazard_view(h) for h in found["hazards"]],
                    inspections=[inspection_view(i) for i in found["inspections"]],
                    people=[PersonInPost(**p) for p in found["people"]], duties=[duty_view(d) for d in found["duties"]],
                    orders=[OrderView(**o) for o in found["orders"]],
                    suspensions=[SuspensionView(**s) for s in found["suspensions"]],
                    blacklist=[ListingView(**b) for b in found["blacklist"]],
                    accountability=_accountability(found["accountability"]))


def _accountability(found: dict[str, Any]) -> UnitAccountability:
    return UnitAccountability(slips=[SlipRow(**s) for s in found["slips"]],
                              notices=[NoticeRow(**n) for n in found["notices"]],
                              summons=[SummonsRow(**m) for m in found["summons"]],
                              acts=[ActView(**a) for a in found["acts"]])

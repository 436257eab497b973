"""The enterprise "1+N" ledger ("1+N" 电子台账, seed 002 §19): one master record plus its thematic ledgers.

"1" is the enterprise as registered (with its supervising department and risk colour); "N" are its hazards, its
inspections, the people in its posts with their certificates, and the duties in force — each read from the
ledger that keeps it, at the same ``as_of`` (effective time) and ``known_at`` (recorded time), so the whole record
is one consistent picture of a past day — and its enforcement record: the orders made on it by ``as_of``, its
suspensions, its blacklist listings with their state on that day, and the acts of accountability that target it by
``as_of`` — slips (交办单/督办单) to it, letters and circulars naming it, summons of its leaders, and accountability of
people as holders of its posts, each naming the post held then (these as recorded now: their read models are not
bitemporal). It has no tables of its own: it composes the other read models.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from domain.accountability import FORM_TERMS
from domain.calendar import local_day
from projections.accountability import AccountabilityQueries
from projections.blacklist import BlacklistQueries
from projections.directory import DirectoryQueries
from projections.hazard_ledger import HazardQueries
from projections.inspection_ledger import InspectionLedgerQueries
from projections.orders import OPEN, OrderQueries
from projections.responsibility_ledger import LedgerQueries


class OnePlusNLedger:
    def __init__(self, directory: DirectoryQueries, ledger: LedgerQueries, hazards: HazardQueries,
                 inspections: InspectionLedgerQueries, orders: OrderQueries, blacklist: BlacklistQueries,
                 accountability: AccountabilityQueries):
        self.directory = directory
        self.ledger = ledger
        self.hazards = hazards
        self.inspections = inspections
        self.orders = orders
        self.blacklist = blacklist
        self.accountability = accountability

    def of(self, scope: str, role: str, unit_of_role: UUID | None, unit_id: UUID, *, as_of: datetime,
           known_at: datetime) -> dict[str, Any] | None:
        """The ledgers of one enterprise (or intermediary) in the caller's scope, or ``None``."""
        unit = self.directory.unit(scope, unit_id)
        if unit is None or unit["kind"] not in ("enterprise", "intermediary"):
            return None
        hazards = self.hazards.ledger(scope, as_of=as_of, known_at=known_at, role=role, unit_of_role=unit_of_role,
                                      unit_id=unit_id, limit=100_000)
        inspections = self.inspections.inspections(scope, role, unit_of_role, as_of=as_of, known_at=known_at,
                                                   target_unit_id=unit_id, limit=100_000)
        duties = self.ledger.duties(scope, as_of=as_of, known_at=known_at, unit_id=unit_id)
        people = self._people(scope, unit_id, as_of, known_at)
        orders = self.orders.orders(scope, role=role, unit_of_role=unit_of_role, unit_id=unit_id, as_of=as_of,
                                    limit=100_000)
        suspensions = self.orders.suspensions(scope, role=role, unit_of_role=unit_of_role, unit_id=unit_id,
                                              as_of=as_of, limit=100_000)
        listings = self.blacklist.entries(scope, role=role, unit_of_role=unit_of_role, unit_id=unit_id,
                                          day=local_day(as_of), limit=100_000)
        acts = self._accountability(scope, unit, as_of)
        return {
            "unit": unit, "hazards": hazards, "inspections": inspections, "duties": duties, "people": people,
            "orders": orders, "suspensions": suspensions, "blacklist": listings, "accountability": acts,
            "summary": {
                "orders": len(orders),
                "orders_open": sum(1 for o in orders if o["current"] and o["status"] in OPEN),
                "suspended": any(s["resumed_at"] is None for s in suspensions),
                "blacklisted": any(entry["state"] == "listed" for entry in listings),
                "hazards_open": sum(1 for h in hazards if h["status"] != "closed"),
                "hazards_overdue": sum(1 for h in hazards if h["days_overdue"] > 0),
                "major_hazards_open": sum(1 for h in hazards if h["status"] != "closed" and h["grade"] == "major"),
                "inspections": len(inspections),
                "last_inspected_at": max((i["inspected_at"] for i in inspections), default=None),
                "duties": len(duties),
                "posts_vacant": len({d["post_id"] for d in duties if d["person_id"] is None}),
                "certificates_invalid": sum(1 for p in people for c in p["certificates"] if not c["valid"]),
                "slips_open": sum(1 for slip in acts["slips"] if slip["open"]),
                "slips_late": sum(1 for slip in acts["slips"] if slip["late"]),
                "summons": len(acts["summons"]),
                "notices": len(acts["notices"]),
                "accountability_acts": len(acts["acts"]),
            },
        }

    def _accountability(self, scope: str, unit: dict[str, Any], as_of: datetime) -> dict[str, Any]:
        """The acts of accountability that target the unit by ``as_of`` (the accountability read model's answer)."""
        acts = self.accountability.unit_acts(scope, unit["unit_id"], until=as_of)
        name = unit["name"]
        return {"slips": [{**s, "target_name": name} for s in acts["slips"]],
                "summons": [{**m, "target_name": name} for m in acts["summons"]],
                "notices": acts["notices"],
                "acts": [{**a, "unit_name": name, "form_term": FORM_TERMS.get(a["form"] or "")} for a in acts["acts"]]}

    def _people(self, scope: str, unit_id: UUID, as_of: datetime, known_at: datetime) -> list[dict[str, Any]]:
        """Who held a post of the unit at ``as_of``, with their certificates and whether each was valid then."""
        day = local_day(as_of)
        held = [h for h in self.ledger.holdings(scope, known_at=known_at, unit_id=unit_id)
                if h["valid_from"] <= as_of and (h["valid_to"] is None or h["valid_to"] > as_of)]
        posts = {p["post_id"]: p for p in self.directory.posts(scope, unit_id=unit_id)}
        names = {p["person_id"]: p["name"]
                 for p in self.directory.people_named(scope, {h["person_id"] for h in held})}
        people = []
        for h in held:
            post = posts.get(h["post_id"], {})
            seen = h["person_id"] in names  # a holder registered outside the caller's scope: no name, no certificates
            certificates = [{**c, "valid": not c["revoked"] and c["issued_on"] <= day <= c["expires_on"]}
                            for c in (self.directory.certificates(h["person_id"]) if seen else [])]
            people.append({"person_id": h["person_id"], "name": names.get(h["person_id"]), "post_id": h["post_id"],
                           "post_title": post.get("title"), "post_kind": post.get("kind"),
                           "requires": post.get("requires_json", []), "held_from": h["valid_from"],
                           "certificates": certificates})
        return sorted(people, key=lambda p: (str(p["post_title"]), str(p["name"])))

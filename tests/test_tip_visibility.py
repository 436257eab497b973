"""What each role sees of a tip outside the tip ledger (``application.visibility``; issue 9 §2): ``viewer`` and
``investigator`` got 403 on ``/tips`` yet read the tip's channel, summary, verdict finding and the disclosure's
reason through the replay and the audit trail."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from api.bootstrap import System
from application import tips as tp
from domain import tips as t
from tests.conftest import COUNTY
from tests.tipdesk import TipDesk

SECRETS = ("群众反映某燃气企业违规充装", "hotline_12345", "疑似违规充装液化石油气", "现场核查属实",
           "联系举报人补充证据")
"""The summary, channel, subject, finding and the disclosure's reason: tip-ledger matters."""


@pytest.fixture
def tip(system: System) -> tuple[TipDesk, str, str]:
    desk = TipDesk(system)
    tip_id = desk.receive()
    desk.verify(tip_id)
    hazard_id = desk.hazard()
    desk.link(tip_id, hazard_id)
    desk.run(tp.DiscloseReporterIdentity(tip_id=tip_id, reason="联系举报人补充证据"))
    system.runner.catch_up()
    return desk, str(tip_id), str(hazard_id)


@pytest.mark.parametrize("role", ["viewer", "investigator", "auditor", "registrar"])
def test_other_roles_see_that_a_tip_existed_when_its_verdict_and_outcome(tip, client: TestClient, token,
                                                                         role: str) -> None:
    _, tip_id, hazard_id = tip
    headers = token(role, COUNTY)
    assert client.get(f"/api/v1/tips/{tip_id}", headers=headers).status_code == 403
    replay = client.get(f"/api/v1/aggregates/{tip_id}/replay", headers=headers)
    trail = client.get(f"/api/v1/audit-trail?aggregate_id={tip_id}", headers=headers)
    assert replay.status_code == trail.status_code == 200
    for response in (replay, trail):
        for secret in SECRETS:
            assert secret not in response.text, (role, secret)
    state = replay.json()["state"]
    assert (state["verdict"], state["outcomes"][0]["target_id"]) == ("substantiated", hazard_id)
    assert "received_at" in state
    items = trail.json()["items"]
    assert [i["event_type"] for i in items] == ["TipReceived", "TipVerified", "TipOutcomeLinked",
                                                "ReporterIdentityDisclosed"]
    assert items[1]["data"] == {"verdict": "substantiated"}
    assert items[2]["data"]["outcome"]["target_id"] == hazard_id
    assert all(i["recorded_at"] and i["effective_at"] for i in items), "when it happened stays"


@pytest.mark.parametrize("role", ["tip_officer", "admin"])
def test_the_tip_ledger_roles_see_its_public_data_everywhere(tip, client: TestClient, token, role: str) -> None:
    _, tip_id, _ = tip
    headers = token(role, COUNTY)
    replay = client.get(f"/api/v1/aggregates/{tip_id}/replay", headers=headers)
    trail = client.get(f"/api/v1/audit-trail?aggregate_id={tip_id}", headers=headers)
    for response in (replay, trail):
        assert response.status_code == 200
        for secret in SECRETS:
            assert secret in response.text, (role, secret)
    assert replay.json()["state"]["summary"] == "群众反映某燃气企业违规充装"


def test_the_feed_gives_a_stream_subscriber_the_outline_and_says_so(tip, client: TestClient, token) -> None:
    _, tip_id, _ = tip
    stream = client.get("/api/v1/events?limit=1000", headers=token("stream", COUNTY)).json()["items"]
    tips = [i for i in stream if i["subject"] == tip_id]
    assert [i["type"].split(".")[3] for i in tips] == ["TipReceived", "TipVerified", "TipOutcomeLinked",
                                                       "ReporterIdentityDisclosed"]
    assert all(i["zerenview"] == "outline" for i in tips)
    assert tips[1]["data"] == {"verdict": t.Verdict.substantiated.value}
    for secret in SECRETS:
        assert all(secret not in str(i) for i in tips)
    others = [i for i in stream if i["subject"] != tip_id]
    assert others, "other records"
    assert all("zerenview" not in i for i in others), "other kinds are shown whole"
    admin = client.get("/api/v1/events?limit=1000", headers=token("admin", "350000")).json()["items"]
    whole = [i for i in admin if i["subject"] == tip_id]
    assert whole[0]["data"]["summary"] == "群众反映某燃气企业违规充装"
    assert all("zerenview" not in i for i in whole)

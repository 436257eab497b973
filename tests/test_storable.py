"""``projections.storable.suspect`` finds every stored event that may hold a value today's bounds refuse — a NUL's
escape, a time whose year is below 1000 or in 9990–9999, a run of 19 digits — and passes the rest (docs/performance.md,
issue #15: the test runs on every event a follower or a rebuild reads)."""

from __future__ import annotations

import pytest

from projections.storable import suspect


@pytest.mark.parametrize("state", [
    b'{"name":"\\u0000"}', b'{"name":"a\\u0000b"}',
    b'{"at":"0001-01-01T00:00:00+08:00"}', b'{"at":"0999-12-31T00:00:00Z"}',
    b'{"at":"9999-12-31T23:59:59-14:00"}', b'{"at":"9990-01-01T00:00:00Z"}',
    b'{"n":1234567890123456789}', b'{"n":-99999999999999999999}', b'{"s":"x1234567890123456789y"}',
])
def test_a_state_that_may_hold_an_unstorable_value_is_suspect(state: bytes) -> None:
    assert suspect(state)


@pytest.mark.parametrize("state", [
    b'{"name":"u0000"}',
    b'{"at":"1000-01-01T00:00:00Z"}', b'{"at":"9989-12-31T00:00:00Z"}', b'{"at":"2026-12-07T21:05:07Z"}',
    b'{"n":123456789012345678}', b'{"n":"12345678901234567-89"}', b'{"id":"3fa85f64-5717-4562-b3fc-2c963f66afa6"}',
    b'{"at":0999}', b'',
])
def test_an_ordinary_state_is_not(state: bytes) -> None:
    assert not suspect(state)

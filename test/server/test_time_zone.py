"""The session time zone through the Trino protocol: X-Trino-Time-Zone (trino-python-client's
`timezone=`), `SET TIME ZONE` (answered with X-Trino-Set-Session time_zone_id, which the client
sends back), timestamp with time zone rendered in the session zone, localtimestamp/current_date
in it, and AT TIME ZONE.

The expected values are Trino 476's own answers to the same statements through the same client
(recorded from a single-node Trino started by scripts/services/trino.sh serve); where the types
differ (AT TIME ZONE gives a timestamp here, a timestamp with time zone in Trino) the wall clock
is compared."""
import datetime
import urllib.error
import urllib.request

import pytest

pytestmark = pytest.mark.connector("sqlite")
trino = pytest.importorskip("trino")


def cursor(served, **kw):
    return trino.dbapi.connect(host=served.host, port=served.port, user="tz-test", **kw).cursor()


def one(cur, sql):
    cur.execute(sql)
    return cur.fetchall()[0][0]


def test_current_timestamp_in_the_client_time_zone(served):
    cur = cursor(served, timezone="America/New_York")
    now = one(cur, "SELECT current_timestamp")
    # Trino 476: an aware datetime in America/New_York.
    assert str(now.tzinfo) == "America/New_York"
    assert abs((now - datetime.datetime.now(datetime.timezone.utc)).total_seconds()) < 120
    local = one(cur, "SELECT localtimestamp")
    assert local.tzinfo is None
    expected = now.replace(tzinfo=None)
    assert abs((local - expected).total_seconds()) < 120  # the New York wall clock
    assert one(cur, "SELECT current_date") in (expected.date(),
                                                (now - datetime.timedelta(minutes=2)).date())


def test_set_time_zone_round_trips_through_the_client(served):
    cur = cursor(served)
    cur.execute("SET TIME ZONE 'Asia/Kolkata'")
    cur.fetchall()
    # Trino 476 answers SET TIME ZONE with X-Trino-Set-Session: time_zone_id=Asia/Kolkata.
    assert cur.connection._client_session.properties.get("time_zone_id") == "Asia/Kolkata"
    now = one(cur, "SELECT current_timestamp")
    assert str(now.tzinfo) == "Asia/Kolkata"
    # Trino 476: 2024-07-01 12:00:00 read in Asia/Kolkata is 06:30 UTC.
    got = one(cur, "SELECT TIMESTAMP '2024-07-01 12:00:00' AT TIME ZONE 'UTC'")
    assert got.replace(tzinfo=None) == datetime.datetime(2024, 7, 1, 6, 30)


@pytest.mark.parametrize("zone,sql,wall", [
    # Trino 476's answers (wall clock of its timestamp with time zone result), the zone set by
    # SET TIME ZONE (the client's timezone= takes IANA names only).
    ("UTC", "SELECT TIMESTAMP '2024-07-01 12:00:00' AT TIME ZONE 'America/New_York'",
     datetime.datetime(2024, 7, 1, 8, 0)),
    ("UTC", "SELECT TIMESTAMP '2024-01-15 12:00:00' AT TIME ZONE 'America/New_York'",
     datetime.datetime(2024, 1, 15, 7, 0)),
    ("Europe/Paris", "SELECT TIMESTAMP '2024-07-01 12:00:00' AT TIME ZONE 'UTC'",
     datetime.datetime(2024, 7, 1, 10, 0)),
    ("+05:30", "SELECT TIMESTAMP '2024-07-01 12:00:00' AT TIME ZONE '-08:00'",
     datetime.datetime(2024, 6, 30, 22, 30)),
])
def test_at_time_zone_matches_trino(served, zone, sql, wall):
    cur = cursor(served)
    cur.execute(f"SET TIME ZONE '{zone}'")
    cur.fetchall()
    got = one(cur, sql)
    assert got.replace(tzinfo=None) == wall


def test_unknown_time_zone_is_a_clear_error(served):
    # Trino 476 accepts any header at POST; aishell refuses an unknown zone at once.
    req = urllib.request.Request(served.url + "/v1/statement", data=b"SELECT 1", method="POST",
                                 headers={"X-Trino-User": "tz-test",
                                          "X-Trino-Time-Zone": "Mars/Olympus_Mons"})
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(req, timeout=10)
    assert e.value.code == 400
    assert "Mars/Olympus_Mons" in e.value.read().decode()
    cur = cursor(served)
    with pytest.raises(trino.exceptions.TrinoUserError) as err:
        cur.execute("SET TIME ZONE 'Nowhere/City'")
        cur.fetchall()
    # Trino 476: NOT_SUPPORTED "Time zone not supported: Nowhere/City".
    assert err.value.error_name == "NOT_SUPPORTED" and "Nowhere/City" in str(err.value)

"""Open Dental face: Limit/Offset paging (§2)."""

import pytest


def ids(response, key="PatNum"):
    assert response.status_code == 200, response.text
    return [row[key] for row in response.json()]


def test_it_defaults_to_100_items_from_offset_0(sim_practice, od_session):
    page = ids(od_session.get(f"{sim_practice.od_url}/patients/Simple"))
    assert page == list(range(1, 101))


def test_offset_skips_items_and_limit_shrinks_the_page(sim_practice, od_session):
    url = f"{sim_practice.od_url}/patients/Simple"
    assert ids(od_session.get(url, params={"Offset": 400})) == list(range(401, 501))
    assert ids(od_session.get(url, params={"Limit": 50, "Offset": 50})) == list(
        range(51, 101)
    )


def test_limit_above_the_remote_maximum_is_capped(sim_practice, od_session):
    page = ids(
        od_session.get(f"{sim_practice.od_url}/patients/Simple", params={"Limit": 5000})
    )
    assert len(page) == 100


@pytest.mark.parametrize("mode", ["local", "service"])
def test_local_and_service_modes_page_1000(sim_practice, od_session, mode):
    sim_practice.settings(od_mode=mode)
    url = f"{sim_practice.od_url}/patients/Simple"
    assert len(ids(od_session.get(url))) == 1000
    assert len(ids(od_session.get(url, params={"Limit": 20000}))) == 1000


def test_enterprise_remote_pages_1000(sim_practice, od_session):
    sim_practice.settings(od_enterprise=True)
    page = ids(
        od_session.get(f"{sim_practice.od_url}/appointments", params={"Limit": 1000}),
        "AptNum",
    )
    assert len(page) == 1000


def test_a_short_page_ends_the_walk_and_past_the_end_is_empty(sim_practice, od_session):
    url = f"{sim_practice.od_url}/patients/Simple"
    total = sim_practice.store.count("patient")
    last = ids(od_session.get(url, params={"Offset": total - 30}))
    assert len(last) == 30
    response = od_session.get(url, params={"Offset": total + 100})
    assert response.json() == []


def test_a_full_walk_returns_every_row_once(sim_practice, od_session):
    seen, offset = [], 0
    while True:
        page = ids(
            od_session.get(
                f"{sim_practice.od_url}/appointments", params={"Offset": offset}
            ),
            "AptNum",
        )
        seen += page
        offset += 100
        if len(page) < 100:
            break
    assert len(seen) == len(set(seen)) == sim_practice.store.count("appointment")


@pytest.mark.parametrize("params", [{"Limit": "x"}, {"Limit": 0}, {"Offset": -1}])
def test_bad_paging_values_are_400(sim_practice, od_session, params):
    response = od_session.get(f"{sim_practice.od_url}/patients", params=params)
    assert response.status_code == 400


def test_every_list_endpoint_is_a_bare_array(sim_practice, od_session):
    for path in (
        "/patients",
        "/patients/Simple",
        "/appointments",
        "/providers",
        "/operatories",
        "/definitions",
        "/commlogs",
        "/payments",
        "/procedurelogs",
        "/histappointments",
        "/documents?PatNum=1",
    ):
        response = od_session.get(sim_practice.od_url + path)
        assert response.status_code == 200, path
        assert isinstance(response.json(), list), path

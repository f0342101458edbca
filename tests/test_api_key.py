import httpx
import pytest

PROTECTED = [
    ("GET", "/leads"),
    ("POST", "/leads"),
    ("GET", "/leads/1"),
    ("PATCH", "/leads/1"),
    ("DELETE", "/leads/1"),
    ("POST", "/leads/import"),
    ("GET", "/leads/import/template.csv"),
    ("GET", "/meetings"),
    ("GET", "/meetings/available"),
    ("POST", "/meetings"),
    ("GET", "/meetings/1"),
    ("GET", "/meetings/1.ics"),
    ("DELETE", "/meetings/1"),
    ("GET", "/outgoing-messages"),
    ("POST", "/leads/do-not-call/import"),
    ("POST", "/agent/turn"),
    ("GET", "/calls"),
    ("GET", "/calls/1"),
    ("POST", "/simulator/calls"),
    ("POST", "/simulator/calls/1/reply"),
    ("POST", "/campaigns"),
    ("GET", "/campaigns"),
    ("GET", "/campaigns/1"),
    ("POST", "/campaigns/1/pause"),
    ("POST", "/outbound/campaign"),
    ("POST", "/outbound/initiate-call"),
    ("GET", "/twilio/debug/CA1"),
    ("POST", "/webhooks"),
    ("GET", "/webhooks"),
    ("DELETE", "/webhooks/1"),
    ("GET", "/webhooks/1/deliveries"),
    ("POST", "/webhooks/deliveries/1/replay"),
]


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return {"api_key": "s3cret-key"}


@pytest.mark.parametrize(("method", "path"), PROTECTED)
async def test_admin_endpoints_need_the_key(
    client: httpx.AsyncClient, method: str, path: str
) -> None:
    missing = await client.request(method, path)
    wrong = await client.request(method, path, headers={"X-API-Key": "nope"})
    assert (missing.status_code, wrong.status_code) == (401, 401)


async def test_the_right_key_opens_them(client: httpx.AsyncClient) -> None:
    response = await client.get("/leads", headers={"X-API-Key": "s3cret-key"})
    assert response.status_code == 200


@pytest.mark.parametrize("path", ["/health", "/ready", "/docs", "/openapi.json"])
async def test_health_and_docs_stay_open(client: httpx.AsyncClient, path: str) -> None:
    assert (await client.get(path)).status_code == 200


async def test_every_lead_and_meeting_route_is_covered_by_this_test(
    client: httpx.AsyncClient,
) -> None:
    spec = (await client.get("/openapi.json")).json()
    routes = {
        (method.upper(), path)
        for path, item in spec["paths"].items()
        for method in item
        if not path.startswith(("/health", "/ready", "/twilio/"))
        or path.startswith("/twilio/debug")
    }
    names = {"{lead_id}": "1", "{meeting_id}": "1", "{call_id}": "1", "{campaign_id}": "1"}
    names |= {"{verb}": "pause", "{call_sid}": "CA1"}
    names |= {"{subscription_id}": "1", "{delivery_id}": "1"}
    normalised = set()
    for method, path in routes:
        for name, value in names.items():
            path = path.replace(name, value)
        normalised.add((method, path))
    assert normalised <= set(PROTECTED), normalised - set(PROTECTED)

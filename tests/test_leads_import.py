import httpx
import pytest

pytestmark = pytest.mark.both_backends

CSV = """name,phone,company,email,gender,notes
Dana Katz,050-765-4321,Katz Ltd,dana@example.com,female,warm lead
Bad Phone,12345,Nowhere,,,
,052-111-2233,No Name Ltd,,,
Eli Bar,052-111-2244,Bar & Co,not-an-email,,
Omer Tal,"+972 54 000 1122",Tal Systems,,m,"multi
line note"
Dana K.,0507654321,,,,updated note
Gil,053-000-1111,,,alien,
"""


async def _upload(client: httpx.AsyncClient, text: str | bytes) -> httpx.Response:
    data = text.encode() if isinstance(text, str) else text
    return await client.post("/leads/import", files={"file": ("leads.csv", data, "text/csv")})


async def test_import_keeps_valid_rows_and_reports_every_bad_one(client: httpx.AsyncClient) -> None:
    response = await _upload(client, CSV)
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["created"] == 2
    assert report["merged"] == 1
    assert report["rejected"] == 4
    errors = {e["line"]: e["reason"] for e in report["errors"]}
    assert set(errors) == {3, 4, 5, 9}
    assert "phone" in errors[3]
    assert "name" in errors[4]
    assert "email" in errors[5]
    assert "gender" in errors[9]

    leads = {lead["phone"]: lead for lead in (await client.get("/leads")).json()}
    assert set(leads) == {"+972507654321", "+972540001122"}
    dana = leads["+972507654321"]
    assert (dana["name"], dana["notes"], dana["company"]) == ("Dana K.", "updated note", "Katz Ltd")
    assert leads["+972540001122"]["gender"] == "male"
    assert leads["+972540001122"]["notes"] == "multi\nline note"


async def test_import_merges_with_existing_leads(client: httpx.AsyncClient) -> None:
    existing = (await client.post("/leads", json={"name": "Dana", "phone": "0507654321"})).json()
    report = (
        await _upload(client, "phone,name,company\n+972507654321,Dana Katz,Katz Ltd\n")
    ).json()
    assert (report["created"], report["merged"], report["lead_ids"]) == (0, 1, [existing["id"]])
    lead = (await client.get(f"/leads/{existing['id']}")).json()
    assert (lead["name"], lead["company"]) == ("Dana Katz", "Katz Ltd")


async def test_import_accepts_excel_bom_and_windows_hebrew(client: httpx.AsyncClient) -> None:
    bom = "\ufeffname,phone,gender\nדנה כץ,050-765-4321,נקבה\n".encode()
    assert (await _upload(client, bom)).json()["created"] == 1
    cp1255 = "name,phone\nיוסי לוי,052-111-2233\n".encode("cp1255")
    assert (await _upload(client, cp1255)).json()["created"] == 1
    names = sorted(lead["name"] for lead in (await client.get("/leads")).json())
    assert names == ["דנה כץ", "יוסי לוי"]


@pytest.mark.parametrize(
    ("content", "message"),
    [("", "empty"), ("name,company\nDana,Katz\n", "missing column(s) phone")],
)
async def test_unusable_file_is_422(client: httpx.AsyncClient, content: str, message: str) -> None:
    response = await _upload(client, content)
    assert response.status_code == 422
    [error] = response.json()["detail"]  # the documented validation shape, never a string
    assert error["loc"] == ["body", "file"]
    assert message in error["msg"]


async def test_do_not_call_list_marks_leads(client: httpx.AsyncClient) -> None:
    dana = (await client.post("/leads", json={"name": "Dana", "phone": "050-765-4321"})).json()
    eli = (await client.post("/leads", json={"name": "Eli", "phone": "052-111-2244"})).json()
    listing = "phone\n+972 50 765 4321\n053-000-0000\nnot a phone\n"
    response = await client.post(
        "/leads/do-not-call/import", files={"file": ("dnc.csv", listing.encode(), "text/csv")}
    )
    assert response.status_code == 200, response.text
    report = response.json()
    assert (report["marked"], report["unknown"], report["rejected"]) == (1, 1, 1)
    assert report["errors"][0]["line"] == 4
    assert (await client.get(f"/leads/{dana['id']}")).json()["do_not_call"] is True
    assert (await client.get(f"/leads/{eli['id']}")).json()["do_not_call"] is False

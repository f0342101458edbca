"""The console in a real Chromium (Debian's, headless), against the app on a real socket.

One server process for the module (tests/console_server.py: SQLite, demo leads, API_KEY set,
the offline phone network at high speed) and one browser profile; the tests run in order and
build on each other as a person would: log in, import leads, try a call, change the agent,
run a campaign. Screenshots land in var/test-artifacts/console/.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import DEFAULT_NOW

playwright_sync = pytest.importorskip("playwright.sync_api")
Page = playwright_sync.Page
expect = playwright_sync.expect

CHROMIUM = Path("/usr/bin/chromium")
API_KEY = "console-test-key"
SHOTS = Path(__file__).resolve().parent.parent / "var" / "test-artifacts" / "console"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Every visible control must have a name a screen reader can say.
UNLABELLED_CONTROLS = """() => [...document.querySelectorAll('input, select, textarea, button')]
  .filter(el => el.type !== 'hidden')
  .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label')
                && !(el.tagName === 'BUTTON' && el.textContent.trim()))
  .map(el => el.outerHTML.slice(0, 120))"""

if not CHROMIUM.exists():
    if os.environ.get("CI"):
        raise RuntimeError("CI needs Debian's chromium (.ci/run installs it)")
    pytest.skip("no /usr/bin/chromium (apt-get install chromium)", allow_module_level=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app in its own process, started once for the module."""
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('console')}/console.db",
        "API_KEY": API_KEY,
        "APP_ENV": "test",
        "SEED_DEMO_LEADS": "true",
        "OPENAI_API_KEY": "",
        "TWILIO_ACCOUNT_SID": "",
        "TWILIO_AUTH_TOKEN": "",
        "OFFLINE_PHONE_SPEED": "1000",
        "DIALER_POLL_SECONDS": "0.2",
        "CONSOLE_CLOCK_START": DEFAULT_NOW.isoformat(),
        "LOG_LEVEL": "WARNING",
    }
    log = SHOTS.parent / "console-server.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "tests.console_server", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_until_up(f"http://127.0.0.1:{port}/health", server)
            yield f"http://127.0.0.1:{port}"
        finally:
            server.terminate()
            server.wait(timeout=10)


def _wait_until_up(url: str, server: subprocess.Popen[bytes]) -> None:
    """Polls the health check (at most 30 s) until the server answers."""
    for _ in range(300):
        if server.poll() is not None:
            raise RuntimeError("the console server exited; see var/test-artifacts")
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError("the console server did not answer in 30 s")


@pytest.fixture(scope="module")
def page(base_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Page]:
    SHOTS.mkdir(parents=True, exist_ok=True)
    with playwright_sync.sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")),
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            base_url=base_url,
            viewport={"width": 1280, "height": 900},
            locale="en-US",
        )
        context.set_default_timeout(10_000)
        try:
            yield context.pages[0] if context.pages else context.new_page()
        finally:
            context.close()


def shot(page: Page, name: str) -> None:
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def assert_labelled(page: Page) -> None:
    assert page.evaluate(UNLABELLED_CONTROLS) == [], page.url


def test_login_then_every_page_renders_labelled_and_the_docs_work_offline(page: Page) -> None:
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login\?next=/$"))
    page.fill("#api_key", "not-the-key")
    page.click("button[type=submit]")
    expect(page.get_by_role("alert")).to_have_text("That key is not the API key.")
    page.fill("#api_key", API_KEY)
    page.click("button[type=submit]")
    expect(page.get_by_role("heading", name="Overview")).to_be_visible()
    cookie = next(c for c in page.context.cookies() if c["name"] == "messiah_console")
    assert cookie["httpOnly"]
    for name in ("Overview", "Leads", "Calls", "Meetings", "Campaigns", "Try a call", "Agent"):
        page.get_by_role("navigation").get_by_role("link", name=name, exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_contain_text(name.split()[0])
        assert_labelled(page)
        shot(page, f"page-{name.lower().replace(' ', '-')}")
    page.goto("/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Agent Messiah")
    shot(page, "docs")
    page.goto("/redoc")
    expect(page.locator("h1").first).to_contain_text("Agent Messiah")


def test_a_form_without_its_token_is_refused(page: Page) -> None:
    response = page.request.post("/console/leads", form={"name": "X", "phone": "0501112233"})
    assert response.status == 403
    page.goto("/console/leads?q=0501112233")
    expect(page.locator("#lead-count")).to_have_text("0 leads")


def test_a_csv_import_is_previewed_before_anything_is_written(page: Page, tmp_path: Path) -> None:
    csv = tmp_path / "leads.csv"
    csv.write_text(
        "שם,שם בעברית,טלפון,חברה,מגדר,מקור\n"
        "Dana Katz,דנה כץ,054-777-1111,Katz Dental,female,השארת פרטים באתר\n"
        "Omer Azulay,עומר אזולאי,052-777-2222,Azulay Gyms,male,\n"
        "David Cohen,דוד כהן,050-123-4567,,,\n"
        "Nobody,,not a phone,,,\n",
        encoding="utf-8",
    )
    page.goto("/console/leads/import")
    page.set_input_files("#file", str(csv))
    page.get_by_role("button", name="Preview", exact=True).click()
    counts = {key: page.locator(f"[data-count={key}]") for key in ("created", "merged", "refused")}
    expect(counts["created"]).to_have_text("2")
    expect(counts["merged"]).to_have_text("1")
    expect(counts["refused"]).to_have_text("1")
    shot(page, "import-preview")
    page.goto("/console/leads?q=Dana")
    expect(page.locator("#lead-count")).to_have_text("0 leads")  # the preview wrote nothing

    page.go_back()
    page.get_by_role("button", name=re.compile(r"^Import 3 leads")).click()
    expect(page.locator("[data-count=created]")).to_have_text("2")
    page.goto("/console/leads?q=Dana")
    row = page.locator("tbody tr").first
    expect(row.locator("td[lang=he]").first).to_have_text("דנה כץ")
    expect(row.locator("td[lang=he]").first).to_have_attribute("dir", "rtl")
    page.goto("/console/leads?q=David")
    expect(page.locator("tbody tr").first).to_contain_text("דוד כהן")  # merged into the blank


def test_a_call_on_try_a_call_books_a_meeting_seen_on_meetings_and_the_funnel(
    page: Page,
) -> None:
    page.goto("/console/try")
    page.select_option("#t-lead", label="Roy Levi (Levi Tech)")
    page.get_by_role("button", name="Start the call", exact=True).click()
    expect(page.locator("tr.agent td[lang=he]").first).to_contain_text("פרסומת מטעם אלטה")
    for line in ("כן, בטח", "יש לנו שלושה אנשי מכירות", "בעיקר בטלפון"):
        turns = page.locator("tr.caller").count()
        page.fill("#say-text", line)
        page.get_by_role("button", name="Say it", exact=True).click()
        expect(page.locator("tr.caller")).to_have_count(turns + 1)
    expect(page.locator("tr.agent td[lang=en]").last).to_contain_text(" or ")  # two slots
    page.fill("#say-text", "הראשון מתאים לי")
    page.get_by_role("button", name="Say it", exact=True).click()
    expect(page.locator("tr.agent td[lang=he]").last).to_contain_text("לאיזה מייל")
    for line in ("דני שטרודל ג'ימייל נקודה קום", "כן"):  # no email on file: asked after booking
        turns = page.locator("tr.caller").count()
        page.fill("#say-text", line)
        page.get_by_role("button", name="Say it", exact=True).click()
        expect(page.locator("tr.caller")).to_have_count(turns + 1)
    expect(page.locator("#call-ended")).to_contain_text("booked")
    shot(page, "try-a-call-booked")
    call_url = page.get_by_role("link", name="Call details").get_attribute("href")

    page.get_by_role("link", name="See the meeting").click()
    expect(page.locator("tbody tr[data-meeting]")).to_have_count(1)
    expect(page.locator("tbody tr[data-meeting]")).to_contain_text("Roy Levi")
    ics = page.request.get(
        page.get_by_role("link", name=re.compile(r"Download meeting")).get_attribute("href") or ""
    )
    assert ics.status == 200 and b"BEGIN:VEVENT" in ics.body()
    shot(page, "meetings")

    page.goto(call_url or "")
    expect(page.locator("#call-outcome")).to_have_text("booked")
    expect(page.locator("tr.caller td[lang=he]").first).to_contain_text("כן, בטח")
    expect(page.locator("tr.caller td[lang=en]").first).not_to_be_empty()
    expect(page.locator("tr.caller").nth(3)).to_contain_text("book meeting")
    expect(page.locator("tr.caller").last).to_contain_text("end call")
    shot(page, "call-transcript")
    page.set_viewport_size({"width": 390, "height": 844})  # a phone
    shot(page, "call-transcript-phone")
    page.set_viewport_size({"width": 1280, "height": 900})

    page.goto("/")
    expect(page.locator("[data-funnel=booked]")).to_have_text("1")
    expect(page.locator("#conversion")).to_contain_text("100.0%")


def test_the_agents_new_pitch_is_shown_back_exactly_and_heard_in_the_next_call(
    page: Page,
) -> None:
    pitch = "אנחנו עונים לכל ליד תוך דקה, גם בשבת בלילה, וקובעים לכם פגישות."
    page.goto("/console/agent")
    page.fill("#a-agent_pitch_he", pitch)
    page.fill("#a-agent_pitch_en", "We answer every lead within a minute and book your meetings.")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator("#saved")).to_be_visible()
    page.reload()
    expect(page.locator("#a-agent_pitch_he")).to_have_value(pitch)
    expect(page.locator("#a-agent_pitch_he")).to_have_attribute("dir", "rtl")
    shot(page, "agent")

    page.goto("/console/try")
    page.select_option("#t-lead", label="Maya Friedman (Friedman Realty)")
    page.get_by_role("button", name="Start the call", exact=True).click()
    page.fill("#say-text", "מה אתם עושים?")
    page.get_by_role("button", name="Say it", exact=True).click()
    reply = page.locator("tr.agent td[lang=he]").last
    expect(reply).to_contain_text(pitch)
    expect(reply).to_contain_text("מעוניינת לשמוע עוד?")  # Maya is female
    expect(page.locator("tr.agent td[lang=en]").last).to_contain_text("within a minute")


def test_a_persona_answers_by_itself_while_the_transcript_grows(page: Page) -> None:
    page.goto("/console/try")
    page.select_option("#t-lead", label="Tamar Mizrahi (Mizrahi Insurance)")
    page.select_option("#t-persona", value="interested")
    page.get_by_role("button", name="Start the call", exact=True).click()
    expect(page.locator("#call-ended")).to_contain_text("booked", timeout=20_000)
    assert page.locator("tr.caller").count() >= 3


def test_a_demo_campaign_runs_to_the_end_while_the_page_watches(page: Page) -> None:
    page.goto("/console/campaigns")
    page.fill("#c-name", "Demo on the offline network")
    page.fill("#c-conc", "10")
    page.fill("#c-cps", "20")
    page.fill("#c-att", "1")
    page.get_by_role("button", name="Create campaign", exact=True).click()
    card = page.locator("article.campaign").first
    expect(card.locator("h3")).to_have_text("Demo on the offline network")
    expect(card.locator("[data-role=state]")).to_have_text("completed", timeout=30_000)
    expect(card.get_by_role("progressbar")).to_have_attribute("aria-valuenow", "100")
    assert card.locator("[data-outcome]").count() >= 1
    expect(card.locator("[data-campaign-call]")).to_have_count(7)  # every callable lead, once
    shot(page, "campaign-finished")
    page.goto("/console/calls")
    expect(page.locator("tr[data-call]").first).to_contain_text("offline")
    shot(page, "calls")

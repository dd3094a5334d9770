"""The dashboard as a supervisor uses it, in real headless Chromium (Debian's package, driven by Playwright):
log in, see a supervised batch waiting, approve it, watch its orders turn filled without reloading, halt and see
the banner and new orders refused, resume, open the report. Screenshots are kept and checked not blank."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.oms_cli import ROOT, Oms
from tests.integration.test_tca_report_chromium import chromium_or_skip
from tests.integration.web.support import OPERATOR_TOKEN, VIEWER_TOKEN, submit
from tests.pngread import read_png

pytestmark = [pytest.mark.chromium, pytest.mark.slow]
ARTIFACTS = Path(os.environ.get("OMS_ARTIFACTS_DIR", ROOT / ".artifacts")) / "dashboard"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until_up(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"oms serve did not answer at {url}")


def stop(process: subprocess.Popen[str]) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture
def running(tmp_path: Path) -> Iterator[tuple[Oms, str]]:
    """`oms daemon` and `oms serve` as two processes over one private ledger."""
    oms = Oms(
        tmp_path,
        {"OMS_SIM__SPEED": "60", "OMS_SERVE__TOKEN": OPERATOR_TOKEN, "OMS_SERVE__VIEWER_TOKEN": VIEWER_TOKEN},
    )
    oms.data.mkdir(parents=True)
    port = free_port()
    server = oms.start("serve", "--port", str(port))
    daemon = oms.start("daemon")
    try:
        wait_until_up(f"http://127.0.0.1:{port}/login")
        assert daemon.stdout is not None
        assert "daemon working sim" in daemon.stdout.readline()  # started, its first checks done
        yield oms, f"http://127.0.0.1:{port}"
    finally:
        stop(daemon)
        stop(server)


def shot(page: object, name: str) -> Path:
    """A screenshot kept as an artifact, checked to show a drawn page (many colours, no single one dominant)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)  # type: ignore[attr-defined]
    width, height, pixels = read_png(path)
    colours = Counter(pixels)
    assert width > 300
    assert height > 200
    assert len(colours) > 20, f"{name}: the screenshot is blank"
    assert colours.most_common(1)[0][1] < 0.97 * len(pixels), f"{name}: the screenshot is nearly one colour"
    return path


def statuses(page: object) -> list[str]:
    cells = page.locator("tr[data-order] td.status")  # type: ignore[attr-defined]
    return [text.strip() for text in cells.all_inner_texts()]


def test_a_supervisor_approves_watches_fills_halts_resumes_and_reads_the_report(running: tuple[Oms, str]) -> None:
    """The whole supervised round in the browser, with live updates and no reload."""
    from playwright.sync_api import expect, sync_playwright

    oms, base = running
    first = submit(oms, "a", "AAPL,SELL,3", "TLT,SELL,10")
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=chromium_or_skip(), args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            problems: list[str] = []
            page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)

            page.goto(f"{base}/login")
            page.fill("input[name=token]", OPERATOR_TOKEN)
            page.click("button[type=submit]")
            row = page.locator(f"tr[data-batch='{first}']")
            expect(row.locator("td.state")).to_have_text("awaiting_approval")
            expect(row.locator("td.next")).to_contain_text("an operator: approve the batch")
            shot(page, "1-batches-waiting")

            page.click(f"a[href='/batches/{first}']")
            expect(page.locator("#batch-state")).to_have_text("awaiting_approval")
            page.click("#approve")
            expect(page.locator(".message")).to_contain_text("2 orders approved")
            page.evaluate("window.__notReloaded = true")
            page.wait_for_function(
                "() => window.__notReloaded === true && [...document.querySelectorAll('tr[data-order] td.status')]"
                ".every(td => td.textContent.trim() === 'filled')",
                timeout=60_000,
            )
            assert statuses(page) == ["filled", "filled"]
            expect(page.locator("#batch-state")).to_have_text("finished", timeout=30_000)
            assert page.evaluate("window.__notReloaded") is True
            shot(page, "2-batch-filled-live")

            page.goto(f"{base}/halt")
            page.fill("input[name=reason]", "browser drill")
            page.click("button[type=submit]")
            banner = page.locator(".banner")
            expect(banner).to_contain_text("KILL SWITCH ON")
            expect(banner).to_contain_text("browser drill")
            shot(page, "3-halted-banner")

            second = submit(oms, "b", "AAPL,SELL,2")
            page.goto(f"{base}/batches/{second}")
            expect(page.locator(".banner")).to_be_visible()
            page.click("#approve")
            expect(page.locator("p.next")).to_contain_text("the kill switch is on")
            time.sleep(2)  # several daemon cycles: nothing may go out while halted
            assert statuses(page) == ["validated"]
            assert oms.status(second)["batches"][0]["orders"][0]["status"] == "validated"
            shot(page, "4-halted-refuses-new-orders")

            page.goto(f"{base}/resume")
            page.click("button[type=submit]")
            expect(page.locator(".banner")).to_have_count(0)
            page.goto(f"{base}/batches/{second}")
            page.evaluate("window.__notReloaded = true")
            # Resumed: the order goes out (the first batch already showed fills arriving live; under a heavily
            # loaded machine the sim's session may close before this one fills, so sent is what is asserted).
            expect(page.locator("tr[data-order] td.status")).to_have_text(
                [re.compile("^(submitted|partially_filled|filled)$")], timeout=60_000
            )
            assert page.evaluate("window.__notReloaded") is True

            page.goto(f"{base}/batches/{first}")
            page.click(f"a[href='/batches/{first}/report']")
            expect(page.locator("svg").first).to_be_visible()
            shot(page, "5-report")
            assert not [p for p in problems if "Content Security Policy" in p], problems
        finally:
            browser.close()

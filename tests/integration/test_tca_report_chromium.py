"""The HTML report and the HTML tickets as a browser draws them, at 1, 9 and 200 orders.

Headless Chromium lays each page out; a measuring script added to a copy of the page (the page itself has none)
writes the box of every piece of text into the DOM, which `--dump-dom` hands back. No two boxes may overlap, the
charts must be there, and a screenshot must not be blank. Screenshots are kept: each test prints its path.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections import Counter
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from oms.domain import Algo, Order
from oms.reporting.charts import COST
from oms.reporting.report_html import render_html
from oms.reporting.tca_batch import build_report
from oms.reporting.ticket_fields import Ticket
from oms.reporting.ticket_html import render_html as render_tickets
from tests.htmlshape import shape_of
from tests.pngread import read_png
from tests.tca_samples import many_orders, sample_batch

pytestmark = pytest.mark.chromium

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
)

# Every text node's line boxes, and every SVG <text>'s box, in page coordinates, written as JSON into the page.
MEASURE = """
<script>
(() => {
  const boxes = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.textContent.trim();
    if (!text || node.parentElement.closest('svg, script, pre#boxes')) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    for (const r of range.getClientRects()) {
      if (r.width > 0 && r.height > 0) boxes.push({t: text.slice(0, 80), x: r.left + scrollX, y: r.top + scrollY,
                                                   w: r.width, h: r.height, g: 'page'});
    }
  }
  document.querySelectorAll('svg text').forEach((el, i) => {
    const r = el.getBoundingClientRect();
    const text = el.textContent.trim();
    if (text && r.width > 0 && r.height > 0) boxes.push({t: text.slice(0, 80), x: r.left + scrollX,
      y: r.top + scrollY, w: r.width, h: r.height, g: 'svg'});
  });
  const out = document.createElement('pre');
  out.id = 'boxes';
  out.textContent = JSON.stringify(boxes);
  document.body.appendChild(out);
})();
</script>
"""
SIZES = (1, 9, 200)
T0 = datetime(2026, 3, 2, 14, 35, tzinfo=UTC)


def chromium_or_skip() -> str:
    """Find Debian's chromium; without it skip, unless OMS_REQUIRE_CHROMIUM=1 (CI), where missing is a failure."""
    found = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
    if found:
        return found
    if os.environ.get("OMS_REQUIRE_CHROMIUM") == "1":
        pytest.fail("OMS_REQUIRE_CHROMIUM=1 but no chromium binary is installed (apt-get install chromium)")
    pytest.skip("chromium is not installed")


def run_chromium(binary: str, profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [binary, *FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )


def text_boxes(binary: str, page: Path, work: Path) -> list[dict[str, object]]:
    """Lay `page` out in Chromium at 1200 px wide and return the box of every piece of text on it."""
    measured = work / f"measured-{page.name}"
    measured.write_text(page.read_text(encoding="utf-8").replace("</body>", MEASURE + "</body>"), encoding="utf-8")
    dom = run_chromium(
        binary,
        work / "profile-dom",
        "--window-size=1200,900",
        "--virtual-time-budget=5000",
        "--dump-dom",
        measured.as_uri(),
    ).stdout
    found = re.search(r'<pre id="boxes">(.*?)</pre>', dom, flags=re.S)
    assert found, "the measuring script did not run"
    return json.loads(found.group(1).replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">"))


def overlaps(boxes: list[dict[str, object]], *, slack: float = 0.5) -> list[tuple[str, str]]:
    """Return the pairs of texts whose boxes overlap by more than `slack` pixels both ways (a sweep along y)."""
    ordered = sorted(boxes, key=lambda b: float(b["y"]))  # type: ignore[arg-type]
    clashes: list[tuple[str, str]] = []
    for i, a in enumerate(ordered):
        ax, ay, aw, ah = (float(a[k]) for k in "xywh")  # type: ignore[arg-type]
        for b in ordered[i + 1 :]:
            bx, by, bw, bh = (float(b[k]) for k in "xywh")  # type: ignore[arg-type]
            if by >= ay + ah - slack:
                break
            if min(ax + aw, bx + bw) - max(ax, bx) > slack and min(ay + ah, by + bh) - max(ay, by) > slack:
                clashes.append((str(a["t"]), str(b["t"])))
    return clashes


def screenshot(binary: str, page: Path, work: Path, shot: Path) -> list[tuple[int, int, int]]:
    """Take a 1200 x 1600 screenshot, kept in $OMS_TEST_ARTIFACTS when set (CI keeps it), else beside the page."""
    kept = os.environ.get("OMS_TEST_ARTIFACTS")
    if kept:
        Path(kept).mkdir(parents=True, exist_ok=True)
        shot = Path(kept) / shot.name
    run_chromium(binary, work / "profile-shot", f"--screenshot={shot}", "--window-size=1200,1600", page.as_uri())
    width, height, pixels = read_png(shot)
    assert (width, height) == (1200, 1600)
    print(f"screenshot kept at {shot}")
    return pixels


def report_page(count: int, tmp_path: Path) -> Path:
    path = tmp_path / f"report-{count}.html"
    report = build_report(many_orders(count))
    path.write_text(render_html(report, generated_at=T0), encoding="utf-8")
    return path


def ticket_page(count: int, tmp_path: Path) -> Path:
    tickets = []
    for n in range(count):
        order = Order.create(
            f"S{n:03d}X",
            "buy" if n % 2 else "sell",
            f"{78.5156 + n}",
            algo=Algo.TWAP,
            at=T0,
            decision_price=Decimal("145.10") + n,
            batch_id="B-many",
            client_order_id=f"B-many-{n:04d}",
            parent_id="o-parent" if n % 3 == 0 else None,
            reason=f"slice {n % 4 + 1} of 4 of B-many-p",
        )
        order.validate(at=T0)
        if n % 4 == 1:
            order.amend_quantity(Decimal("73.5687"), "cash after sells covers 73.5687 shares", at=T0)
        words = "TWAP planned; one market order instead: 1 share is less than two slices of the minimum child size"
        tickets.append(
            Ticket.from_order(
                order,
                number=n + 1,
                algorithm=words if n % 5 == 0 else "TWAP: 26 orders of 3 shares",
                security_name=f"Security number {n} Select Sector SPDR Fund",
                enter_after_wave=1 if n % 2 else None,
                warnings=("Leveraged ETF (3x): a limit order protects against a fast market.",) if n % 7 == 0 else (),
            )
        )
    path = tmp_path / f"tickets-{count}.html"
    path.write_text(render_tickets(tickets, "B-many", T0 + timedelta(minutes=1)), encoding="utf-8")
    return path


@pytest.mark.parametrize("count", SIZES)
def test_report_text_never_overlaps_and_is_drawn(count: int, tmp_path: Path) -> None:
    """At 1, 9 and 200 orders: no two text boxes meet, the charts are there, and the page is painted."""
    binary = chromium_or_skip()
    page = report_page(count, tmp_path)
    boxes = text_boxes(binary, page, tmp_path)
    assert sum(1 for b in boxes if b["g"] == "svg") > 20  # the charts' labels are real text
    assert overlaps(boxes) == []
    shape = shape_of(page.read_text(encoding="utf-8"))
    assert shape.marks["bars/bar"] == min(count, 40)
    assert shape.marks["timeline/fill"] == 2 * count
    assert shape.order_rows == count
    pixels = screenshot(binary, page, tmp_path, tmp_path / f"report-{count}.png")
    colours = Counter(pixels)
    cost = tuple(int(COST[i : i + 2], 16) for i in (1, 3, 5))
    assert len(colours) > 200
    assert colours[cost] > 500  # red bars a person can see
    assert colours.most_common(1)[0][1] / len(pixels) < 0.9


@pytest.mark.parametrize("count", SIZES)
def test_tickets_text_never_overlaps_and_is_drawn(count: int, tmp_path: Path) -> None:
    """At 1, 9 and 200 tickets: every field readable without overlap; names, slices and resizes on the page."""
    binary = chromium_or_skip()
    page = ticket_page(count, tmp_path)
    boxes = text_boxes(binary, page, tmp_path)
    assert overlaps(boxes) == []
    texts = {str(b["t"]) for b in boxes}
    assert "Security number 0 Select Sector SPDR Fund" in texts
    assert any(t.startswith("slice 1 of 4") for t in texts)
    if count > 1:
        assert any(t.startswith("79.5156 to 73.5687 shares: cash after sells") for t in texts)
    pixels = screenshot(binary, page, tmp_path, tmp_path / f"tickets-{count}.png")
    assert len(Counter(pixels)) > 20
    assert Counter(pixels).most_common(1)[0][1] / len(pixels) < 0.97


def test_the_overlap_check_can_fail(tmp_path: Path) -> None:
    """Two labels printed on top of each other are found: the check above is not vacuous."""
    binary = chromium_or_skip()
    page = tmp_path / "clash.html"
    page.write_text(
        '<!DOCTYPE html><html><body><svg width="300" height="60"><text x="10" y="30">SELL SOXL</text>'
        '<text x="40" y="32">-35.1</text></svg></body></html>',
        encoding="utf-8",
    )
    assert overlaps(text_boxes(binary, page, tmp_path)) == [("SELL SOXL", "-35.1")]


def test_sample_batch_still_draws_its_marks(tmp_path: Path) -> None:
    """The small sample batch: 3 bars, 6 cost steps and 7 fill dots survive Chromium's parser."""
    binary = chromium_or_skip()
    orders, contexts = sample_batch()
    page = tmp_path / "sample.html"
    page.write_text(render_html(build_report(orders, contexts)), encoding="utf-8")
    dom = run_chromium(binary, tmp_path / "profile-sample", "--dump-dom", page.as_uri()).stdout
    shape = shape_of(dom)
    assert shape.marks["bars/bar"] == 3
    assert shape.marks["waterfall/bar"] == 6
    assert shape.marks["timeline/fill"] == 7
    assert shape.order_rows == 5

"""The HTML report as a browser draws it: headless Chromium's DOM and screenshot show the charts."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from oms.reporting.report_html import render_html
from oms.reporting.svg import COST
from oms.reporting.tca_batch import build_report
from tests.htmlshape import shape_of
from tests.pngread import read_png
from tests.tca_samples import sample_batch

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
        timeout=90,
        check=True,
    )


@pytest.fixture
def report_file(tmp_path: Path) -> Path:
    orders, contexts = sample_batch()
    path = tmp_path / "report.html"
    path.write_text(render_html(build_report(orders, contexts)), encoding="utf-8")
    return path


def test_chromium_dom_has_the_charts(report_file: Path, tmp_path: Path) -> None:
    """Chromium's parsed DOM holds 3 slippage bars, 6 cost steps, 7 fill dots, a price line and 5 order rows."""
    binary = chromium_or_skip()
    dom = run_chromium(binary, tmp_path / "profile-dom", "--dump-dom", report_file.as_uri()).stdout
    shape = shape_of(dom)
    assert shape.marks["bars/rect.bar"] == 3
    assert shape.marks["waterfall/rect.bar"] == 6
    assert shape.marks["timeline/circle.fill"] == 7
    assert shape.marks["timeline/polyline.price"] == 1
    assert shape.order_rows == 5


def test_chromium_screenshot_is_not_blank(report_file: Path, tmp_path: Path) -> None:
    """The screenshot has many colours and a large area painted in the cost colour of the bars."""
    binary = chromium_or_skip()
    shot = tmp_path / "report.png"
    run_chromium(
        binary, tmp_path / "profile-shot", f"--screenshot={shot}", "--window-size=1200,1300", report_file.as_uri()
    )
    width, height, pixels = read_png(shot)
    assert (width, height) == (1200, 1300)
    colours = Counter(pixels)
    assert len(colours) > 200  # text, charts and badges, not a flat page
    cost = tuple(int(COST[i : i + 2], 16) for i in (1, 3, 5))
    assert colours[cost] > 5_000  # the bars are drawn, filled, at a size a person can see
    most_common_share = colours.most_common(1)[0][1] / len(pixels)
    assert most_common_share < 0.9

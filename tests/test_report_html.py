"""The instructor's report.html, opened in a real headless browser."""

import os
import shutil
import subprocess

import pytest

from grader.report.html import render_html
from grader.report.model import GradeResult, TaskResult

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def a_class() -> dict[str, GradeResult]:
    def result(scores, failure=None):
        tasks = [TaskResult("exercise-2", f"task{i}", "t", s, 2, "Passed." if s else "Not yet.",
                            concept=f"concept {i}", failure=None if s else failure)
                 for i, s in enumerate(scores)]
        return GradeResult("x", tasks)

    return {
        "ana": result([2, 2, 2]), "ben": result([2, 2, 0]), "cy": result([0, 0, 0], failure="timeout"),
        "dee": result([2, 0, 0]),
    }


@pytest.fixture
def browser():
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("CI installs Debian's chromium for this test (see .ci/run)")
        pytest.skip("no chromium here (apt-get install chromium)")
    return CHROMIUM


def rendered(page, browser, profile) -> str:
    """The page's DOM as headless Chromium built it."""
    return subprocess.run([browser, *FLAGS, f"--user-data-dir={profile}", "--dump-dom", page.as_uri()],
                          capture_output=True, text=True, timeout=90).stdout


@pytest.mark.timeout(120)
def test_the_report_renders_its_chart_pass_rates_and_failed_runs(tmp_path, browser):
    page = tmp_path / "report.html"
    page.write_text(render_html(a_class(), feedback_pages={"ben"}))
    profile = tmp_path / "profile"
    dom = rendered(page, browser, profile)
    assert "4 submission(s); mean score 50%; 1 with full marks." in dom
    assert dom.count('class="bin"') == 10
    assert 'data-count="1"' in dom and 'data-count="0"' in dom
    assert dom.count('<tr class="task') == 3
    assert "1/4 (25%)" in dom and "concept 2" in dom
    assert '<li class="failed-run"><b>cy</b>: 3 task(s) did not run' in dom
    assert dom.count('<tr class="student"') == 4 and '<a href="ben/feedback.html">' in dom
    assert '<a href="ana/feedback.html">' not in dom and '<a href="ana/feedback.md">' in dom
    shot = tmp_path / "shot.png"
    subprocess.run([browser, *FLAGS, f"--user-data-dir={profile}", f"--screenshot={shot}",
                    "--window-size=1000,900", page.as_uri()], capture_output=True, timeout=90)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 10_000

"""`report.html`: one self-contained page for the instructor — the score distribution, the pass
rate of every task (which concept the class missed), the submissions that failed to run, and
the entries of the submissions folder that were not graded at all."""

from __future__ import annotations

from collections import Counter
from html import escape

from grader import outcome as kinds
from grader.report.model import NOT_RUN, GradeResult

# Failure kinds that mean the code did not run at all, rather than ran and got a wrong answer.
DID_NOT_RUN = {kinds.LOAD, kinds.CRASH, kinds.TIMEOUT, kinds.MEMORY, kinds.EXIT, *kinds.GRADER_FAULTS}

STYLE = """
body { font: 15px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 60rem; color: #222; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.2rem; margin-top: 2rem; }
table { border-collapse: collapse; width: 100%; } td, th { padding: .3rem .5rem; text-align: left; }
tr:nth-child(even) { background: #f4f4f4; } .bar { background: #4a7bd0; height: .8rem; }
.low .bar { background: #d0574a; } .num { text-align: right; white-space: nowrap; }
svg text { font: 12px system-ui, sans-serif; }
"""


def score_chart(percentages: list[float]) -> str:
    """An SVG histogram of the students' total scores in 10-point bins."""
    bins = Counter(min(int(p // 10), 9) for p in percentages)
    tallest = max(bins.values(), default=1)
    width, height, bar, top = 560, 200, 50, 20
    parts = [f'<svg id="score-chart" role="img" aria-label="score distribution" width="{width}" '
             f'height="{top + height + 30}" viewBox="0 0 {width} {top + height + 30}">']
    for index in range(10):
        count = bins.get(index, 0)
        h = round(height * count / tallest) if count else 0
        x = 5 + index * (bar + 5)
        parts.append(f'<rect class="bin" data-count="{count}" x="{x}" y="{top + height - h}" width="{bar}" '
                     f'height="{h}" fill="#4a7bd0"><title>{count} student(s)</title></rect>')
        if count:
            parts.append(f'<text x="{x + bar / 2}" y="{top + height - h - 4}" text-anchor="middle">{count}</text>')
        label = f"{index * 10}–{index * 10 + 10}%" if index < 9 else "90–100%"
        parts.append(f'<text x="{x + bar / 2}" y="{top + height + 16}" text-anchor="middle">{label}</text>')
    parts.append("</svg>")
    return "".join(parts)


def task_rows(results: dict[str, GradeResult]) -> str:
    passed: Counter = Counter()
    total: Counter = Counter()
    concepts = {}
    for result in results.values():
        for task in result.tasks:
            key = (task.exercise, task.task)
            total[key] += 1
            passed[key] += task.passed
            concepts[key] = task.concept
    rows = []
    for key in total:
        rate = 100 * passed[key] / total[key]
        rows.append(
            f'<tr class="task{" low" if rate < 50 else ""}"><td>{escape(key[0])}</td><td>{escape(key[1])}</td>'
            f'<td class="num">{passed[key]}/{total[key]} ({rate:.0f}%)</td>'
            f'<td style="width:20%"><div class="bar" style="width:{rate:.0f}%"></div></td>'
            f"<td>{escape(concepts[key])}</td></tr>"
        )
    return "".join(rows)


def failed_to_run(results: dict[str, GradeResult]) -> str:
    items = []
    for student, result in results.items():
        broken = [t for t in result.tasks if t.failure in DID_NOT_RUN]
        if broken:
            said = broken[0].feedback
            if said.startswith(NOT_RUN) and result.notes:  # the reason is in the notes
                said = next((note for note in result.notes if note.startswith(broken[0].exercise)), result.notes[0])
            reason = escape(said.splitlines()[0][:160])
            items.append(f'<li class="failed-run"><b>{escape(student)}</b>: {len(broken)} task(s) did '
                         f"not run — {reason}</li>")
    return "".join(items) or "<li>None.</li>"


def not_graded(refused: dict[str, str]) -> str:
    items = [f'<li class="refused"><b>{escape(entry)}</b>: {escape(why)}</li>' for entry, why in refused.items()]
    return "".join(items) or "<li>None.</li>"


def render_html(results: dict[str, GradeResult], refused: dict[str, str] | None = None) -> str:
    """The page for `results`, and for `refused` (entry → why) of a batch, if any."""
    percentages = [100 * r.score / r.max_score if r.max_score else 0 for r in results.values()]
    mean = sum(percentages) / len(percentages) if percentages else 0
    full = sum(r.full_marks for r in results.values())
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Grading report</title><style>{STYLE}</style></head>
<body>
<h1>Grading report</h1>
<p id="summary">{len(results)} submission(s); mean score {mean:.0f}%; {full} with full marks.</p>
<h2>Score distribution</h2>
{score_chart(percentages)}
<h2>Pass rate per task</h2>
<table id="tasks"><tr><th>exercise</th><th>task</th><th class="num">passed</th><th></th><th>concept</th></tr>
{task_rows(results)}</table>
<h2>Submissions that failed to run</h2>
<ul id="failed-to-run">{failed_to_run(results)}</ul>
<h2>Entries not graded</h2>
<ul id="not-graded">{not_graded(refused or {})}</ul>
</body></html>
"""

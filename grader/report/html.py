"""`report.html`: one self-contained page for the instructor — what the run was, every student's
score per exercise (linked to what the student receives), the score distribution, the pass rate
of every task and how often each known mistake was made, whose grading the grader failed (apart
from whose code failed to run), and the submissions to look at twice: near-identical code and
entries that were not graded at all."""

from __future__ import annotations

from collections import Counter, defaultdict
from html import escape
from urllib.parse import quote

from grader import catalog
from grader import outcome as kinds
from grader.report.model import NOT_RUN, BatchRun, GradeResult, SimilarPair

# Failure kinds that mean the student's code did not run at all, rather than ran and got a wrong
# answer. The grader's own failures (kinds.GRADER_FAULTS) are listed apart.
DID_NOT_RUN = {kinds.LOAD, kinds.CRASH, kinds.TIMEOUT, kinds.MEMORY, kinds.EXIT}

STYLE = """
body { font: 15px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 72rem; color: #222; padding: 0 1rem; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.2rem; margin-top: 2rem; } h3 { font-size: 1rem; }
table { border-collapse: collapse; width: 100%; } td, th { padding: .3rem .5rem; text-align: left; }
tr:nth-child(even) { background: #f4f4f4; } td:first-child { white-space: nowrap; } .bar { background: #4a7bd0; height: .8rem; }
.low .bar { background: #d0574a; } .num { text-align: right; white-space: nowrap; }
.full { color: #1d7a35; } .zero { color: #b3261e; } .error { color: #8a5a00; font-weight: 600; }
dl#run { display: grid; grid-template-columns: max-content auto; gap: .1rem 1rem; } dt { font-weight: 600; }
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


def run_facts(run: BatchRun) -> str:
    facts = {"date": run.date, "grader": run.grader_version, "Spark": run.spark_version,
             "exercises": ", ".join(run.exercises), "engine": run.engine}
    return "".join(f"<dt>{name}</dt><dd>{escape(value)}</dd>" for name, value in facts.items())


def _score_cell(score: float, most: float, not_graded: bool) -> str:
    shade = "error" if not_graded else "full" if most and score >= most else "zero" if not score else ""
    flag = " (not graded)" if not_graded else ""
    return f'<td class="num {shade}">{score:g}/{most:g}{flag}</td>'


def student_status(result: GradeResult) -> str:
    if not result.complete:
        return "not graded: the grader failed"
    if any(t.failure in DID_NOT_RUN for t in result.tasks):
        return "code did not run"
    return "full marks" if result.full_marks else "lost points"


def student_rows(results: dict[str, GradeResult], exercises: list[str], feedback_pages: set[str]) -> str:
    """One row per student: the score per exercise and in total, linked to the files they get."""
    rows = []
    for student, result in results.items():
        scores = result.exercise_scores()
        ungraded = {t.exercise for t in result.tasks if t.not_graded}
        cells = "".join(_score_cell(*scores.get(e, (0, 0)), e in ungraded) for e in exercises)
        folder = quote(student)
        pages = ["feedback.html"] if student in feedback_pages else []
        links = " · ".join(f'<a href="{folder}/{page}">{page}</a>'
                           for page in (*pages, "feedback.md", "results.json"))
        rows.append(f'<tr class="student" data-student="{escape(student)}"><td>{escape(student)}</td>{cells}'
                    f"{_score_cell(result.score, result.max_score, not result.complete)}"
                    f"<td>{student_status(result)}</td><td>{links}</td></tr>")
    return "".join(rows)


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


def mistake_message(exercise: str, task: str, mistake: str) -> str:
    """The sentence students get for a known mistake, or "" if the catalog no longer declares it."""
    try:
        return catalog.exercise(exercise).task(task).mistake(mistake).message
    except (catalog.UnknownExercise, StopIteration):
        return ""


def mistake_rows(results: dict[str, GradeResult]) -> str:
    """How many students made each known mistake, task by task, most frequent first."""
    makers = defaultdict(list)
    for student, result in results.items():
        for task in result.tasks:
            if task.mistake:
                makers[(task.exercise, task.task, task.mistake)].append(student)
    rows = [
        f'<tr class="mistake" data-mistake="{escape(m)}" data-count="{len(who)}"><td>{escape(e)}</td>'
        f"<td>{escape(t)}</td><td><b>{escape(m)}</b><br>{escape(mistake_message(e, t, m))}</td>"
        f'<td class="num">{len(who)}</td><td>{escape(", ".join(who))}</td></tr>'
        for (e, t, m), who in sorted(makers.items(), key=lambda item: (-len(item[1]), item[0]))
    ]
    return "".join(rows) or '<tr><td colspan="5">No known mistake was made.</td></tr>'


def _listed(results: dict[str, GradeResult], kinds_listed, css: str, what: str, whole: bool) -> str:
    """A line per student with a task failing as one of `kinds_listed`, saying why: the first line
    of its feedback, or all of it (`whole`, up to 240 characters) where the detail follows."""
    items = []
    for student, result in results.items():
        hit = [t for t in result.tasks if t.failure in kinds_listed]
        if hit:
            said = hit[0].feedback
            if said.startswith(NOT_RUN) and result.notes:  # the reason is in the submission's notes:
                # its exercise's own, else all of them (a grader failure's detail follows its first line)
                said = next((n for n in result.notes if n.startswith(hit[0].exercise)), "\n".join(result.notes))
            why = " ".join(said.split()) if whole else next(iter(said.splitlines()), "")
            why = why if len(why) <= 240 else why[:239] + "…"
            items.append(f'<li class="{css}"><b>{escape(student)}</b>: {len(hit)} task(s) {what} — {escape(why)}</li>')
    return "".join(items) or "<li>None.</li>"


def grader_faults(results: dict[str, GradeResult]) -> str:
    return _listed(results, kinds.GRADER_FAULTS, "grader-fault", "not graded", whole=True)


def failed_to_run(results: dict[str, GradeResult]) -> str:
    return _listed(results, DID_NOT_RUN, "failed-run", "did not run", whole=False)


def similar_items(similar: list[SimilarPair]) -> str:
    items = [f'<li class="similar"><b>{escape(pair.first)}</b> and <b>{escape(pair.second)}</b>: '
             f"{pair.similarity:.0%} of one's own code is in the other's</li>" for pair in similar]
    return "".join(items) or "<li>None.</li>"


def not_graded(refused: dict[str, str]) -> str:
    items = [f'<li class="refused"><b>{escape(entry)}</b>: {escape(why)}</li>' for entry, why in refused.items()]
    return "".join(items) or "<li>None.</li>"


def render_html(results: dict[str, GradeResult], refused: dict[str, str] | None = None,
                run: BatchRun | None = None, similar: list[SimilarPair] = (), feedback_pages: set[str] = frozenset()) -> str:
    """The page for `results`; for a batch also its `run`, the `refused` entries (entry → why),
    the near-identical pairs of students and the students who have a
    `feedback.html` to link to."""
    percentages = [100 * r.score / r.max_score if r.max_score else 0 for r in results.values()]
    mean = sum(percentages) / len(percentages) if percentages else 0
    full = sum(r.full_marks for r in results.values())
    exercises = list(run.exercises) if run else list(dict.fromkeys(
        t.exercise for r in results.values() for t in r.tasks))
    header = "".join(f'<th class="num">{escape(e)}</th>' for e in exercises)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Grading report</title><style>{STYLE}</style></head>
<body>
<h1>Grading report</h1>
<p id="summary">{len(results)} submission(s); mean score {mean:.0f}%; {full} with full marks.</p>
{f'<dl id="run">{run_facts(run)}</dl>' if run else ""}
<h2>Students</h2>
<table id="students"><tr><th>student</th>{header}<th class="num">total</th><th>status</th><th>files</th></tr>
{student_rows(results, exercises, feedback_pages)}</table>
<h2>Score distribution</h2>
{score_chart(percentages)}
<h2>Pass rate per task</h2>
<table id="tasks"><tr><th>exercise</th><th>task</th><th class="num">passed</th><th></th><th>concept</th></tr>
{task_rows(results)}</table>
<h2>Known mistakes made</h2>
<table id="mistakes"><tr><th>exercise</th><th>task</th><th>mistake</th><th class="num">students</th><th>who</th></tr>
{mistake_rows(results)}</table>
<h2>Not graded because the grader failed</h2>
<p>Not the students' fault and never a zero: <code>grade batch</code> grades them again on its next run.</p>
<ul id="grader-faults">{grader_faults(results)}</ul>
<h2>Submissions whose code failed to run</h2>
<ul id="failed-to-run">{failed_to_run(results)}</ul>
<h2>Flagged submissions</h2>
<h3>Near-identical code</h3>
<p>Compared with copydetect, leaving out the stubs and the reference solutions, which every student may share.</p>
<ul id="similar">{similar_items(similar)}</ul>
<h3>Entries not graded</h3>
<ul id="not-graded">{not_graded(refused or {})}</ul>
</body></html>
"""

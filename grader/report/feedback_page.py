"""`feedback.html`: a student's feedback as one self-contained page, the text of `feedback.md`
with the picture of each event-time task's stream inline (SVG, no JavaScript)."""

from __future__ import annotations

from html import escape

from grader.report.model import GradeResult
from grader.report.text import render

STYLE = """
body { font: 15px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 62rem; color: #222; }
pre { background: #f6f6f6; padding: 1rem; overflow-x: auto; font-size: 13px; }
figure { margin: 1.5rem 0; } figcaption { font-weight: 600; margin-bottom: .3rem; }
svg { max-width: 100%; height: auto; }
"""


def stream_pictures(result: GradeResult) -> str:
    """The picture of each event-time task's stream, as HTML figures under one heading ("" when
    no graded task has one)."""
    figures = "".join(
        f'<figure class="picture" id="picture-{escape(task.task)}"><figcaption>{escape(task.name)}</figcaption>'
        f"{inline_svg(task.picture)}</figure>"
        for task in result.tasks if task.picture
    )
    return f"<h2>Your stream, batch by batch</h2>{figures}" if figures else ""


def feedback_html(student: str, result: GradeResult) -> str:
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Feedback for {escape(student)}</title><style>{STYLE}</style></head>
<body>
<h1>Feedback for {escape(student)}</h1>
<p id="score">Score: {result.score:g} / {result.max_score:g}</p>
<pre id="feedback">{escape(render(result))}</pre>
{stream_pictures(result)}
</body></html>
"""


def inline_svg(picture: str) -> str:
    """An SVG file's text as an element for an HTML page: without its XML declaration and doctype."""
    return picture[picture.index("<svg"):]

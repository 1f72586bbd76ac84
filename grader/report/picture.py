"""The picture of an event-time task's stream: a self-contained SVG (no JavaScript) drawn with
matplotlib from a `grader.judge.timeline.Timeline`.

x is event time, one lane per micro-batch (batch 1 at the top). In each lane: the rows that
arrived (a circle on time, a triangle late but counted, a cross too late and dropped: shape and
colour, so it reads in grey), the watermark after the batch (a solid line; the student's query's,
where it differs, dashed), and the window rows the batch wrote (a span from the window's start to
its end, a join's row from its earliest to its latest time: plain when the reference and the
student both wrote it, hatched '//' and marked '-' when
only the reference did, hatched 'xx' and marked '+' when only the student did, as in the text
diff). The lane whose check failed is shaded. Every element has an id, the task's name then
`-row-…`, `-watermark-…`, `-your-watermark-…`, `-span-…` or `-differs-…`, so its content can be
checked and several pictures share a page.
"""

from __future__ import annotations

import datetime as dt
import io
import xml.etree.ElementTree as ET

from grader.judge.compare import first_difference
from grader.judge.expected import Expectation
from grader.judge.timeline import (
    BOTH, LATE, ON_TIME, REFERENCE_ONLY, TOO_LATE, YOURS_ONLY, Timeline, timeline,
)
from grader.outcome import Outcome
from grader.spec import Collect, Scenario, Task

ROW_STYLES = {  # marker, colour: told apart by both
    ON_TIME: ("o", "#1f77b4"),
    LATE: ("^", "#ff7f0e"),
    TOO_LATE: ("X", "#d62728"),
}
LATENESS_NAMES = {ON_TIME: "row on time", LATE: "row late, counted", TOO_LATE: "row too late, dropped"}
ROW_IDS = {ON_TIME: "on-time", LATE: "late", TOO_LATE: "too-late"}
SPAN_STYLES = {  # face, edge, hatch
    BOTH: ("#c6dbef", "#08519c", ""),
    REFERENCE_ONLY: ("white", "#238b45", "//"),
    YOURS_ONLY: ("white", "#ae017e", "xx"),
}
SPAN_IDS = {BOTH: "both", REFERENCE_ONLY: "expected", YOURS_ONLY: "yours"}
SPAN_NAMES = {BOTH: "row written by both (its times)", REFERENCE_ONLY: "- expected, not written by yours",
              YOURS_ONLY: "+ written by yours, not expected"}
WATERMARK = "#222222"
YOUR_WATERMARK = "#7a0177"
DIFFERS = "#fde0dd"
ROW_HEIGHT = 1.0   # the strip of a lane holding its input rows
SPAN_HEIGHT = 0.7  # each window row a lane wrote adds one of these
WIDTH_INCHES = 9.0
INSTANT = 1.5 / 86400  # the width of a row with a single time, in days (matplotlib's date unit)
SVG_SETTINGS = {"svg.fonttype": "none", "svg.hashsalt": "stream-picture", "font.size": 9}


def task_picture(task: Task, scenario: Scenario, got: Outcome, expected: Expectation) -> str:
    """The SVG of `got` against the reference on `scenario`, up to the batch whose check failed;
    "" when the task has no event time, or `got` has no rows to place (a failed query)."""
    ordered = isinstance(task.output, Collect) and task.output.ordered
    found = first_difference(expected.reference.snapshots, got.snapshots, ordered)
    drawn = timeline(task, scenario, got, expected.reference, found[0] if found else None)
    return render(drawn) if drawn is not None else ""


def render(story: Timeline) -> str:
    """The SVG text of one timeline. (matplotlib is imported here, so gradings without an
    event-time task never load it.)"""
    import matplotlib
    from matplotlib.backends.backend_svg import FigureCanvasSVG
    from matplotlib.figure import Figure

    lanes = _lanes(story)
    height = sum(bottom - top for top, bottom in lanes)
    with matplotlib.rc_context(SVG_SETTINGS):
        figure = Figure(figsize=(WIDTH_INCHES, 1.6 + 0.42 * height), layout="constrained")
        axes = figure.add_subplot()
        _draw(axes, story, lanes)
        output = io.StringIO()
        FigureCanvasSVG(figure).print_svg(output, metadata={"Date": None})
    return output.getvalue()


def stacked(pictures: list[str]) -> str:
    """Several pictures, one under the other, as one SVG file (each kept as it is, nested)."""
    ET.register_namespace("", "http://www.w3.org/2000/svg")
    ET.register_namespace("xlink", "http://www.w3.org/1999/xlink")
    parts = [ET.fromstring(picture) for picture in pictures]
    width = max(_points(part.get("width")) for part in parts)
    outer = ET.Element("{http://www.w3.org/2000/svg}svg", version="1.1")
    top = 0.0
    for part in parts:
        part.set("y", f"{top}pt")
        top += _points(part.get("height"))
        outer.append(part)
    outer.set("width", f"{width}pt")
    outer.set("height", f"{top}pt")
    return ET.tostring(outer, encoding="unicode", xml_declaration=True)


def _points(length: str) -> float:
    return float(length.removesuffix("pt"))


def _lanes(story: Timeline) -> list[tuple[float, float]]:
    """(top, bottom) of each batch's lane: a strip of rows, then one strip per row written."""
    lanes, top = [], 0.0
    for batch in range(story.batches):
        spans = sum(span.batch == batch for span in story.spans)
        bottom = top + ROW_HEIGHT + SPAN_HEIGHT * spans
        lanes.append((top, bottom))
        top = bottom
    return lanes


def _draw(axes, story: Timeline, lanes: list[tuple[float, float]]) -> None:
    from matplotlib import dates

    for batch, (top, bottom) in enumerate(lanes):
        if batch == story.differs_at:
            axes.axhspan(top, bottom, color=DIFFERS, zorder=0).set_gid(f"{story.task}-differs-b{batch + 1}")
        axes.axhline(bottom, color="#bbbbbb", linewidth=0.6, zorder=1)
    for number, row in enumerate(story.rows):
        marker, colour = ROW_STYLES[row.lateness]
        y = lanes[row.batch][0] + ROW_HEIGHT / 2
        mark, = axes.plot([row.event_time], [y], linestyle="none", marker=marker, color=colour,
                          markersize=8, markeredgecolor="black", markeredgewidth=0.5, zorder=4)
        mark.set_gid(f"{story.task}-row-{number + 1}-b{row.batch + 1}-{ROW_IDS[row.lateness]}")
        above = number % 2 == 0  # labels of neighbouring rows alternate above and below their marks
        axes.annotate(row.label, (row.event_time, y), xytext=(0, 7 if above else -7), textcoords="offset points",
                      ha="center", va="bottom" if above else "top", fontsize=7, color="#444444")
    for batch in range(story.batches):
        top, bottom = lanes[batch]
        if story.watermarks[batch] is not None:
            line = axes.vlines(story.watermarks[batch], top, bottom, color=WATERMARK, linewidth=2, zorder=3)
            line.set_gid(f"{story.task}-watermark-b{batch + 1}")
        yours = story.your_watermarks[batch] if story.your_watermarks else None
        if yours is not None and yours != story.watermarks[batch]:
            line = axes.vlines(yours, top, bottom, color=YOUR_WATERMARK, linewidth=2, linestyles="--", zorder=3)
            line.set_gid(f"{story.task}-your-watermark-b{batch + 1}")
    placed = [0] * story.batches
    for number, span in enumerate(story.spans):
        face, edge, hatch = SPAN_STYLES[span.source]
        y = lanes[span.batch][0] + ROW_HEIGHT + SPAN_HEIGHT * (placed[span.batch] + 0.5)
        placed[span.batch] += 1
        start, end = dates.date2num(span.start), dates.date2num(span.end)
        if end - start < INSTANT:  # a row with one time: a thin bar centred on it
            start, end = start - INSTANT / 2, start + INSTANT / 2
        bar, = axes.barh(y, end - start, left=start, height=SPAN_HEIGHT * 0.8,
                         color=face, edgecolor=edge, hatch=hatch, linewidth=1.2, zorder=2)
        bar.set_gid(f"{story.task}-span-{number + 1}-b{span.batch + 1}-{SPAN_IDS[span.source]}")
        axes.annotate(f"{span.mark} {span.label}".strip(), (start, y), xytext=(4, 0), textcoords="offset points",
                      va="center", fontsize=8, color=edge, fontweight="bold", zorder=5,
                      bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.5, "alpha": 0.85})
    _axes_furniture(axes, story, lanes)


def _axes_furniture(axes, story: Timeline, lanes: list[tuple[float, float]]) -> None:
    from matplotlib import dates
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    times = [row.event_time for row in story.rows] + [s.end for s in story.spans] + [s.start for s in story.spans]
    times += [mark for mark in (*story.watermarks, *story.your_watermarks) if mark is not None]
    margin = dt.timedelta(seconds=5)
    axes.set_xlim(min(times) - margin, max(times) + margin)
    axes.set_ylim(lanes[-1][1], 0)  # batch 1 at the top
    axes.set_yticks([top + ROW_HEIGHT / 2 for top, _ in lanes],
                    [f"batch {b + 1}" + (" ✗ differs" if b == story.differs_at else "")
                     for b in range(story.batches)])
    axes.xaxis.set_major_formatter(dates.DateFormatter("%H:%M:%S"))
    axes.set_xlabel("event time")
    axes.set_title(f"{story.task}: what each micro-batch brought, the watermark after it, and what it wrote",
                   fontsize=9, loc="left")
    axes.grid(axis="x", color="#eeeeee", zorder=0)
    present = {row.lateness for row in story.rows}
    handles = [Line2D([], [], linestyle="none", marker=marker, color=colour, markeredgecolor="black",
                      markeredgewidth=0.5, markersize=8,
                      label=LATENESS_NAMES[lateness] + (" (asked watermark)" if lateness != ON_TIME and any(story.watermarks) else ""))
               for lateness, (marker, colour) in ROW_STYLES.items() if lateness in present]
    if any(story.watermarks):
        handles.append(Line2D([], [], color=WATERMARK, linewidth=2, label="watermark after the batch (asked)"))
    if not story.your_watermarks and any(story.watermarks):
        handles.append(Line2D([], [], color=YOUR_WATERMARK, linewidth=0, label="your query has no watermark"))
    elif any(mark is not None and mark != asked for mark, asked in zip(story.your_watermarks, story.watermarks)):
        handles.append(Line2D([], [], color=YOUR_WATERMARK, linewidth=2, linestyle="--", label="your watermark"))
    written = {span.source for span in story.spans}
    handles += [Patch(facecolor=face, edgecolor=edge, hatch=hatch, label=SPAN_NAMES[source])
                for source, (face, edge, hatch) in SPAN_STYLES.items() if source in written]
    axes.figure.legend(handles=handles, loc="outside lower center", ncols=3, fontsize=7.5, frameon=False)

"""The student side of the process boundary: the worker, the only process that imports a
submission, and what it runs there (calling the student's functions, importing modules and
notebooks). Nothing outside this package imports it; it may import the trusted side's
definitions (`grader.referee`'s recipes and wire format, `grader.supervision`'s confinement)."""

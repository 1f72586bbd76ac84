"""Running untrusted student code: a worker process (Spark, student code) and its supervisor.

`supervisor` (parent side) starts `worker` processes, bounds them in time and kills their whole
process tree; the worker sends back plain data (`grader.outcome`), never grades.
"""

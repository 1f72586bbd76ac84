"""A grading harness for PySpark Structured Streaming exercises.

The parent process (the `grade` command, pytest checks, judging, reports) never imports Spark;
student code runs in a sandboxed worker process that sends back what its queries produced.
"""

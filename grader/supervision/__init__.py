"""The trusted side of the process boundary: the supervisor that starts referees and workers and
bounds them (time, memory, files, process trees), the kernel confinement it has the student's
processes apply to themselves, and the staging that copies submissions in. Nothing here imports
Spark or the student side (`grader.sandbox`)."""

"""Instructor and CI verbs: record expected outcomes, generate the student stubs."""

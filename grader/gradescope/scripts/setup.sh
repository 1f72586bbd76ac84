#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder's image: Java 17 and
# Python 3.11+ if missing, the grader from its wheel with the pinned dependencies in
# /autograder/venv, then one start of the Spark engine, which proves Java and pyspark work
# here and prepares the engine's files so each submission's start is shorter.
set -euo pipefail
source_dir=$(cd "$(dirname "$0")" && pwd)
autograder=$(dirname "$source_dir")
export DEBIAN_FRONTEND=noninteractive

java_major() { java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -1; }
if ! command -v java >/dev/null || ! command -v javac >/dev/null || [ "$(java_major)" -lt 17 ]; then
  apt-get update -qq && apt-get install -y -qq openjdk-17-jdk-headless >/dev/null
fi

python=""
for candidate in python3.13 python3.12 python3.11 python3; do
  if command -v "$candidate" >/dev/null && "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    python=$candidate; break
  fi
done
if [ -z "$python" ]; then  # Ubuntu 22.04's python3 is 3.10
  apt-get update -qq && apt-get install -y -qq python3.11 python3.11-venv >/dev/null
  python=python3.11
fi
if ! "$python" -m venv --clear "$autograder/venv"; then  # Ubuntu ships venv apart
  apt-get update -qq && apt-get install -y -qq "$("$python" -c 'import sys; print(f"python3.{sys.version_info[1]}-venv")')" >/dev/null
  "$python" -m venv --clear "$autograder/venv"
fi
"$autograder/venv/bin/python" -m pip install --quiet --upgrade pip
"$autograder/venv/bin/python" -m pip install --quiet --constraint "$source_dir/constraints.txt" "$source_dir"/wheels/*.whl

export GRADER_PROJECT="$source_dir/project" GRADER_CACHE="$source_dir/cache"
"$autograder/venv/bin/grade" engine start
"$autograder/venv/bin/grade" engine stop

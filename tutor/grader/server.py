"""Provides the warm grader: `python -m tutor.grader.server`, one JSON request per line on stdin.

It imports torch once (one thread, so forking is safe), then for each request grades in a forked,
confined child and answers with the verdict as one JSON line. It never runs learner code itself,
so the verdict it sends is decided where learner code never ran.
"""

from __future__ import annotations

import json
import sys


def main() -> int:
    from tutor.course.loader import load_course
    from tutor.grader.grade import grade, prepare
    from tutor.grader.verdict import Verdict

    out = sys.stdout
    sys.stdout = sys.stderr  # nothing but answers on the channel
    prepare()
    course = load_course()
    out.write(json.dumps({"ready": True}) + "\n")
    out.flush()
    for line in sys.stdin:
        try:
            request = json.loads(line)
            exercise = course.exercise(request["exercise"])
            if exercise is None:
                verdict = Verdict.failure(request["exercise"], 0, f"unknown exercise {request['exercise']!r}")
            else:
                from pathlib import Path

                verdict = grade(exercise, Path(request["file"]), seed=request.get("seed"))
            answer = {"id": request.get("id"), "verdict": verdict.to_dict()}
        except Exception as e:  # noqa: BLE001 - a bad request gets an answer, not a dead server
            answer = {"id": None, "error": f"{type(e).__name__}: {e}"}
        out.write(json.dumps(answer, default=str) + "\n")
        out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())

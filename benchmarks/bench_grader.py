"""Grading latency: warm (the app's grader server) and cold (`zerohero check`), beside `import torch`.

Both grade in the full jail (zygote fork, fresh namespaces, seccomp, Landlock); the layers in
effect on this machine are printed first.

Run: python benchmarks/bench_grader.py [--repeat N] [--exercise ID]
Everything runs in one process tree, interleaved, so machine noise hits each side alike; the
figures that matter are the ratios.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def timed(cmd: list[str], env: dict) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--exercise", default="micrograd.value")
    args = ap.parse_args()

    from tutor.course.loader import load_course
    from tutor.course.workspace import init
    from tutor.grader.client import GraderClient
    from tutor.grader.sandbox import isolation_report

    course = load_course()
    ex = course.exercise(args.exercise)
    tmp = Path(tempfile.mkdtemp())
    ws, _ = init(course, tmp / "ws")
    lesson_dir = ROOT / "lessons" / ex.lesson / "solutions"
    for sol in lesson_dir.glob("*.py"):  # the reference solutions, as a learner's passing files
        shutil.copyfile(sol, ws.root / "exercises" / ex.lesson / sol.name)
    env = dict(os.environ, PYTHONPATH=str(ROOT), ZEROHERO_WORKSPACE=str(ws.root))

    client = GraderClient(env)
    client.start()
    verdict = client.grade(ex.id, ws.file(ex))  # warm-up: the server imports torch once
    assert verdict.passed, verdict.summary
    torch_s, cold_s, warm_s = [], [], []
    for _ in range(args.repeat):
        torch_s.append(timed([sys.executable, "-c", "import torch"], env))
        cold_s.append(timed([sys.executable, "-m", "tutor.cli", "check", ex.id], env))
        start = time.perf_counter()
        client.grade(ex.id, ws.file(ex))
        warm_s.append(time.perf_counter() - start)
    client.close()
    shutil.rmtree(tmp, ignore_errors=True)

    med = statistics.median
    print(f"exercise: {ex.id}   repeats: {args.repeat}   python {sys.version.split()[0]}")
    print(f"isolation: {isolation_report()[1]}")
    print(f"python -c 'import torch'        median {med(torch_s):.3f} s")
    print(f"zerohero check (cold process)   median {med(cold_s):.3f} s   "
          f"ratio to import torch: {med(cold_s) / med(torch_s):.2f}x  (target <= 2x)")
    print(f"warm grade (grader server)      median {med(warm_s):.3f} s   (target <= 0.5 s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

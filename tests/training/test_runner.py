"""The training engine: a child process streaming events; pause, resume, stop; crashes."""

from __future__ import annotations

import time

from tutor.course.progress import Progress
from tutor.training.runner import Training, config_for, record


def _training(course, ws, run="fit", **options):
    lesson = course.lesson("toy")
    r = lesson.run(run)
    cfg = config_for(lesson, r, options=options)
    return Training(lesson, r, cfg, workspace=ws.root, learner_passed=set())


def test_events_stream_with_full_history_and_rates(toy_course, toy_workspace):
    t = _training(toy_course, toy_workspace, sleep="0.01")
    t.start()
    steps, history, panels = [], [], 0
    for event in t.events():
        if event["kind"] == "step":
            steps.append(event["step"])
            history.extend(h[0] for h in event["history"])
            panels += bool(event.get("panels"))
            assert "steps_per_s" in event and "elapsed_s" in event
    assert t.result.status == "finished"
    assert history == list(range(1, 51))  # every step's metrics reach the plot
    assert len(steps) < 50  # ...in fewer, throttled events
    assert panels >= 1 and t.result.samples == ["a.", "b."]
    assert t.result.state_path.endswith(".npz")


def test_pause_resume_stop(toy_course, toy_workspace):
    t = _training(toy_course, toy_workspace, sleep="0.05")
    t.start()
    events = t.events()
    first = next(e for e in events if e["kind"] == "step")
    t.pause()
    time.sleep(0.5)
    t.resume()
    later = next(events)
    assert later["step"] > first["step"]
    t.stop()
    kinds = [e["kind"] for e in events]
    assert kinds[-1] == "stopped" and t.result.status == "stopped"
    assert t.proc.poll() is not None


def test_a_crash_is_an_event_and_recorded(toy_course, toy_workspace):
    t = _training(toy_course, toy_workspace, run="crash")
    t.start()
    last = list(t.events())[-1]
    assert last["kind"] == "error" and "ValueError: boom" in last["result"].error
    progress = Progress(toy_workspace.state_dir)
    record(progress, t)
    assert progress.runs("toy")[0]["status"] == "crashed"

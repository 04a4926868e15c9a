"""Provides `train`: `zerohero train` - a run in the training child, with a progress bar on a TTY."""

from __future__ import annotations

import sys
import time

from tutor.training.runner import Training, config_for, default_device, record


def _bar(event: dict, width: int = 30) -> str:
    step, total = event.get("step", 0), event.get("total") or 1
    filled = int(width * min(step, total) / total)
    metrics = "  ".join(f"{k} {v:.4f}" for k, v in (event.get("metrics") or {}).items()
                        if isinstance(v, (int, float)))
    eta = event.get("eta_s")
    eta_text = f"  ~{eta:.0f}s left" if eta is not None else ""
    return (f"\r[{'█' * filled}{'·' * (width - filled)}] {step}/{total}  {metrics}  "
            f"{event.get('steps_per_s', 0):.1f} steps/s{eta_text}\033[K")


def _options(pairs: list[str]) -> dict:
    out = {}
    for pair in pairs:
        if "=" not in pair:
            raise ValueError(f"--set takes KEY=VALUE, got {pair!r}")
        key, value = pair.split("=", 1)
        out[key.strip()] = value.strip()
    return out


def train(args) -> int:
    from tutor.cli import CliError, FAILED, OK, course, emit, fail, lesson, progress, workspace

    c, ws = course(), workspace(args)
    les = lesson(c, args.lesson)
    if not les.runs:
        raise CliError(f"lesson {les.id} has no training runs yet")
    run = les.run(args.run)
    if run is None:
        raise CliError(f"lesson {les.id} has no run {args.run!r}; runs: {', '.join(r.name for r in les.runs)}")
    try:
        cfg = config_for(les, run, steps=args.steps, seed=args.seed,
                         device=args.device or default_device(), options=_options(args.set))
    except (KeyError, ValueError) as e:
        raise CliError(str(e).strip("'\"")) from None
    prog = progress(ws)
    passed = {e.name for e in les.exercises if e.id in prog.passed()}
    training = Training(les, run, cfg, workspace=ws.root, learner_passed=passed,
                        force_reference=args.reference, data_dir=args.data_dir)
    tty = sys.stderr.isatty() and not args.json
    training.start()
    last_draw = 0.0
    try:
        for event in training.events():
            if event["kind"] == "step" and tty and time.monotonic() - last_draw > 0.1:
                sys.stderr.write(_bar(event))
                sys.stderr.flush()
                last_draw = time.monotonic()
    except KeyboardInterrupt:
        training.stop()
        for _ in training.events():
            pass
    if tty:
        sys.stderr.write("\n")
    r = training.result
    record(prog, training)
    payload = {
        "lesson": les.id, "run": run.name, "status": r.status, "implementation": r.implementation,
        "used": r.used, "steps": r.steps, "elapsed_s": round(r.elapsed_s, 3), "device": cfg.device,
        "metrics": r.metrics, "lecture": r.lecture, "samples": r.samples, "datasets": r.datasets,
        "lecture_numbers_hold": r.canonical_data, "state_path": r.state_path or None,
        "reported": r.reported, "unchecked": r.unchecked or None,
    }
    matches = {k: run.matches_lecture(k, v) for k, v in r.metrics.items()}
    payload["lecture_match"] = {k: m for k, m in matches.items() if m is not None}
    if r.extra:  # the run's extras never overwrite our own fields (a forged lecture_match)
        payload.update({k: v for k, v in r.extra.items() if k not in payload})
    if r.status == "crashed":
        payload["error"] = r.error
        if args.json:
            emit(args, payload)
            return FAILED
        return fail(args, f"the run crashed ({r.implementation} code): {r.error}\n{r.trace}".rstrip(), FAILED)
    lines = [f"{les.id}/{run.name}: {r.status} after {r.steps} steps in {r.elapsed_s:.1f}s "
             f"— {r.implementation} implementation ({', '.join(f'{k}: {v}' for k, v in r.used.items()) or 'reference'})"]
    for d in r.datasets:
        lines.append(f"  data: {d}")
    for key, value in r.metrics.items():
        lecture = r.lecture.get(key)
        mark = {True: " ✓ reproduced", False: " ✗ differs", None: ""}[matches.get(key)]
        versus = f"   (lecture: {lecture}{mark})" if lecture is not None else ""
        lines.append(f"  {key:<14} {value}{versus}")
    for key, value in r.reported.items():
        if key not in r.metrics:  # what the run's code said, which our code could not measure
            lines.append(f"  {key:<14} {value}   (reported by the run, not measured on the kept model)")
    if r.samples:
        lines.append("  samples: " + " ".join(r.samples))
    emit(args, payload, "\n".join(lines))
    return OK if r.status == "finished" else FAILED

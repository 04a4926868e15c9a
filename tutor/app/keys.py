"""Provides every key binding of the app, screen by screen, and the help text: one place, read by the
screens (their `BINDINGS`), the help screen (which renders it) and the command palette."""

from __future__ import annotations

from textual.binding import Binding

HELP = Binding("question_mark", "app.help", "Help", key_display="?", tooltip="this list of keys")
"""First in every screen's bindings, so the footer shows it even at 80 columns."""

APP = [
    Binding("question_mark", "help", "Help", key_display="?", tooltip="this list of keys"),
    Binding("q", "quit", "Quit", tooltip="stops any training and the grader; progress is saved"),
]
"""The app's own bindings, active on every screen."""

PALETTE = Binding("ctrl+p", "command_palette", "Command palette", tooltip="every action, searchable")
"""Textual's own; listed in the help so the learner knows it is there."""

HOME = [
    HELP,
    Binding("enter", "open", "Open lesson", priority=True, tooltip="the highlighted lesson"),
    Binding("c", "continue", "Continue", tooltip="straight to the next thing to do"),
    Binding("t", "train", "Train", tooltip="the highlighted lesson's live training"),
]

LESSON = [
    HELP,
    Binding("escape", "home", "Course", tooltip="back to the list of lessons"),
    Binding("1", "tab('read')", "Read", tooltip="the lesson's text"),
    Binding("2", "tab('work')", "Exercise", tooltip="your code and the feedback on it"),
    Binding("3", "tab('follow')", "Follow along", show=False,
            tooltip="the lesson's scratch file, run cell by cell (e edits it there)"),
    Binding("e", "edit", "Edit", tooltip="open the exercise (or the follow-along file) in $VISUAL or $EDITOR"),
    Binding("r", "check", "Check", tooltip="check again now, with a fresh seed"),
    Binding("n", "move(1)", "Next", tooltip="the next exercise (any order is fine)"),
    Binding("p", "move(-1)", "Prev", tooltip="the previous exercise"),
    Binding("h", "hint", "Hint", tooltip="open the next hint tier"),
    Binding("s", "solution", "Solution", tooltip="the reference beside yours, once yours passes"),
    Binding("t", "train", "Train", tooltip="the lesson's live training view"),
    Binding("x", "reset", "Reset", tooltip="restore the stub (yours is kept as a backup)"),
]

TRAIN = [
    HELP,
    Binding("escape", "back", "Back", tooltip="the run goes on; come back to watch it"),
    Binding("s", "start", "Start", tooltip="start the chosen run with its steps and options"),
    Binding("space", "pause", "Pause/resume", tooltip="freeze the training process, then go on"),
    Binding("x", "stop", "Stop", tooltip="stop it; its last figures are recorded"),
    Binding("l", "log", "Log scale", tooltip="the loss plot's y axis: linear or log"),
    Binding("c", "configure", "Configure", tooltip="pick the run, its steps and options"),
    Binding("f", "fetch", "Fetch data", tooltip="get a missing data set (may download it)"),
    Binding("m", "inspect", "Sample/inspect", tooltip="samples or a summary from the chosen kept model"),
    Binding("v", "compare", "Compare", tooltip="draw the chosen past run's curve beside this one (again: none)"),
]

FOLLOW = [
    HELP,  # first, so the footer keeps it at 80 columns with the tab's keys before the lesson's
    Binding("enter", "run", "Run cell", tooltip="run the current cell in the lesson's kernel"),
    Binding("a,shift+enter", "run(True)", "Run to here", key_display="a",
            tooltip="run every cell from the first to the current one, in order"),
    Binding("i,ctrl+c", "interrupt", "Interrupt", key_display="i",
            tooltip="(or ctrl+c) stop the running cell: KeyboardInterrupt; the kernel keeps its state"),
    Binding("ctrl+r", "restart", "Restart", tooltip="a fresh kernel: every variable is gone"),
]
"""The Follow-along tab's keys (with the lesson's: e edits the file, 1/2/3 switch tabs)."""

FOLLOW_MOVE = [
    Binding("up,k", "cursor(-1)", "Previous cell", show=False),
    Binding("down,j", "cursor(1)", "Next cell", show=False),
    Binding("home", "ends(False)", "First cell", show=False),
    Binding("end", "ends(True)", "Last cell", show=False),
]

SOLUTION = [HELP, Binding("escape", "back", "Back", tooltip="back to the lesson")]

HELP_SCREEN = [Binding("escape,question_mark,q", "close", "Close help")]
KEPT = [Binding("escape,m,q", "close", "Close"), Binding("r", "again", "New seed")]
CREATE_WORKSPACE = [Binding("escape", "cancel", "Quit")]
CONFIRM = [Binding("y", "answer(True)", "Yes"), Binding("n,escape", "answer(False)", "No")]

SCREENS = [("Course (home)", HOME), ("Lesson", LESSON), ("Lesson: Follow-along tab", FOLLOW + FOLLOW_MOVE[:2]),
           ("Training", TRAIN), ("Solution", SOLUTION)]
"""The help screen's sections, in this order (the one the learner came from first)."""

EVERYWHERE = [*APP, PALETTE]

HOW = """\
Edit your exercise files in any editor (e opens $EDITOR). Each save is checked within a second and the
verdict appears here by itself; r checks again with a fresh seed. Hints open one tier at a time (h); the
reference solution opens once your code passes (s). t opens a lesson's live training: your code trains
the model once its exercises pass, the reference does until then. 3 opens the lesson's follow-along
file: type the lecture's code into its `# %%` cells and run them there one by one (enter) in a kernel
that keeps its state until you restart it (ctrl+r); nothing in it is graded. ctrl+p opens the command palette:
every action above is there too. The mouse works: click a lesson, an exercise, a tab or a button."""


def key_name(binding: Binding) -> str:
    """The key as the learner types it: '?', 'esc', 'space', or the key itself."""
    names = {"question_mark": "?", "escape": "esc", "space": "space", "enter": "enter"}
    return binding.key_display or ", ".join(names.get(k, k) for k in binding.key.split(","))

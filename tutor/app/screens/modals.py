"""Provides the modal dialogs: `CreateWorkspace` (first run) and `Confirm` (yes/no)."""

from __future__ import annotations

from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from tutor.app import keys

DIALOG_CSS = """
{name} {{ align: center middle; }}
{name} > Vertical {{
    width: 76; max-width: 95%; height: auto; padding: 1 2;
    border: thick $primary; background: $surface;
}}
{name} .title {{ text-style: bold; margin-bottom: 1; }}
{name} Horizontal {{ height: auto; margin-top: 1; align-horizontal: right; }}
{name} Button {{ margin-left: 1; }}
"""


class CreateWorkspace(ModalScreen[Path | None]):
    """No workspace was found: offers to create one (default ./zerohero); dismisses with the folder or None."""

    DEFAULT_CSS = DIALOG_CSS.format(name="CreateWorkspace")
    BINDINGS = keys.CREATE_WORKSPACE

    def __init__(self, suggest: Path | None):
        super().__init__()
        self.suggest = suggest or Path.cwd() / "zerohero"

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Welcome to zerohero", classes="title")
            yield Static("There is no workspace here yet. A workspace is a folder with your copy of every "
                         "exercise; your editor works on those files and the tutor checks them as you save.")
            yield Input(str(self.suggest), id="path")
            with Horizontal():
                yield Button("Quit", id="quit")
                yield Button("Create workspace", id="create", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#create", Button).focus()

    @on(Button.Pressed, "#create")
    @on(Input.Submitted, "#path")
    def _create(self) -> None:
        text = self.query_one("#path", Input).value.strip()
        if not text:
            self.notify("Give a folder for the workspace.", severity="warning")
            return
        self.dismiss(Path(text).expanduser().resolve())

    @on(Button.Pressed, "#quit")
    def action_cancel(self) -> None:
        self.dismiss(None)


class Confirm(ModalScreen[bool]):
    """A yes/no question; y or enter confirms, n or escape declines."""

    DEFAULT_CSS = DIALOG_CSS.format(name="Confirm")
    BINDINGS = keys.CONFIRM

    def __init__(self, question: str, detail: str = ""):
        super().__init__()
        self.question, self.detail = question, detail

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.question, classes="title")
            if self.detail:
                yield Static(self.detail)
            with Horizontal():
                yield Button("No (n)", id="no")
                yield Button("Yes (y)", id="yes", variant="warning")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)

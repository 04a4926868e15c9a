"""Provides the baseline for time to first frame: the smallest Textual app with a header, a line and a footer."""

from textual.app import App
from textual.widgets import Footer, Header, Static


class Minimal(App):
    BINDINGS = [("q", "quit", "Quit")]

    def compose(self):
        yield Header()
        yield Static("hello from a minimal Textual app")
        yield Footer()


if __name__ == "__main__":
    Minimal().run()

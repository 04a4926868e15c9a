"""Provides `KeyFooter`: Textual's compact footer, cut to the keys that fit the terminal's width.

Textual's own lays every key out whatever the width: at 80 columns the last ones run under the
command palette's (`h H▏^p palettei`). This one keeps the keys in their order while they fit, drops
the palette's below `PALETTE_FROM` columns, and always keeps the first key (`?` Help), whose
screen lists every key and the palette.
"""

from __future__ import annotations

from textual.widgets import Footer

PALETTE_FROM = 100
"""From this many columns the footer also shows `^p palette`."""


def _width(key) -> int:
    """Columns a compact key takes: its key, a space and its words, then the grid's gutter."""
    return len(key.key_display) + (1 + len(key.description) if key.description else 0) + 1


class KeyFooter(Footer):
    """The footer of every screen: the keys that fit, `?` first."""

    def __init__(self, **kw):
        kw.setdefault("compact", True)
        super().__init__(**kw)
        self._laid_for = 0
        self._laid_keys: tuple = ()

    def compose(self):
        keys = list(super().compose())
        width = self.app.size.width
        palette = [k for k in keys if k.has_class("-command-palette")]
        rest = [k for k in keys if not k.has_class("-command-palette")]
        if width < PALETTE_FROM:
            palette = []
        room = width - sum(_width(k) for k in palette) - 1
        kept, used = [], 0
        for key in rest:
            if kept and used + _width(key) > room:
                break
            kept.append(key)
            used += _width(key)
        self.styles.grid_size_columns = max(1, len(kept))
        self._laid_for = width
        self._laid_keys = self._shown(self.screen)
        yield from kept + palette

    @staticmethod
    def _shown(screen) -> tuple:
        return tuple((b.key, b.description, enabled) for _, b, enabled, _ in screen.active_bindings.values() if b.show)

    def bindings_changed(self, screen) -> None:
        """Recomposes only when the keys shown changed. Textual's footer rebuilds every key on each
        focus change and each return to a screen, and that rebuild was a third of a `?` key's cost."""
        if self._bindings_ready and self.is_attached and screen is self.screen and self._shown(screen) == self._laid_keys:
            return
        super().bindings_changed(screen)

    def on_resize(self) -> None:
        if self.app.size.width != self._laid_for:
            self.recompose()

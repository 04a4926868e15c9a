"""Follow along (issue 19): a lesson's percent-cell scratch file, run cell by cell in a jailed kernel.

`cells` reads the file, `kernel.Kernel` runs its cells in `child` (the jailed process), `show`
turns a tensor into a panel. Headless: nothing here imports Textual, tutor.app or tutor.cli.
"""

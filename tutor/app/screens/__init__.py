"""Provides the app's screens: home, lesson, train, solution, help and the modals."""

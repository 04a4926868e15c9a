"""Provides the Textual tutor app (`zerohero tutor`); the headless core lives in tutor.course/grader/training."""

"""Headless grader: runs learner code isolated, decides the verdict where learner code never ran."""

"""The engine: plan a job, run its pipeline tasks, report."""

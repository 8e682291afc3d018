"""Roadmap tasks: their status workflow, progress, history and watchers."""

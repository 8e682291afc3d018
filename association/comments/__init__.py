"""The discussion of a task: comments with @mentions (separate from status changes, and kept in the history)."""

"""The pages every user shares: the dashboard, the health check, the language switch, the API docs page."""

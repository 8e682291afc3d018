"""Programme figures: every percentage the dashboards, the API and the exports show, computed in one place."""

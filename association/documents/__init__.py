"""Committee documents (model regulations, training programmes): draft → for comment → approved, with versions."""

"""Annual returns: yearly statistics forms defined as data, the returns libraries submit, review and lock."""

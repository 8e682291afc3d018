"""Reference data (`flask seed`) and demo users and progress (`flask seed --demo`)."""

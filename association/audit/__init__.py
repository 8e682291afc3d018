"""The append-only audit log: every create, update and delete, and every login."""

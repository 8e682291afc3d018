"""People who use the system: accounts, roles, committee memberships and library representation."""

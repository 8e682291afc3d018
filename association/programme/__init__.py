"""The Association itself and its Programme with the Programme's directions."""

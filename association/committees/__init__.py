"""The six committees that carry out the Roadmap, and who sits on them."""

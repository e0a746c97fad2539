"""Writes of routing: rules.py (the rules and who is away) and assigning.py (giving leads an owner)."""

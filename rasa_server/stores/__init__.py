"""Tracker and lock stores named in the endpoints files."""

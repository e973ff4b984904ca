"""Input channels named in credentials.yml (and, for messaging platforms, by
scripts/credentials.py)."""

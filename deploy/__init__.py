"""Deployment pieces: the nginx template and the cluster's lock store (lock_store.py)."""

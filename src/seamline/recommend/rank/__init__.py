"""Rankers: second-stage models that score (user, item) candidates with features."""

"""Matching as a service: the per-process index, ranked matches and candidates, recommendations, stored top-k."""

"""Matching for Sunshine Employment (阳光就业): graduates ↔ positions, ranked, with reasons."""

"""Employers, positions of five kinds, grassroots program rules and job fairs."""

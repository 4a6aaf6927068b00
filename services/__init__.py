"""Sunshine Employment (阳光就业): the FastAPI application and its business domains."""

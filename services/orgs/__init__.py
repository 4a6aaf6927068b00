"""Union org units (city → county/park → grassroots) tied to administrative divisions."""

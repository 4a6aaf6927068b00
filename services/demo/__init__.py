"""The demo world: synthetic but valid identities and a realistic 亳州市 registry, catalog and campaign."""

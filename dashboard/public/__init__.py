"""The public side: the citizens' tracking page and Open311 GeoReport v2 (SPEC section 9)."""

"""The switchboard (SPEC section 10): queue_log parsing and following, demo feed, figures."""

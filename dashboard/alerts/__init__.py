"""Alerts that act (SPEC section 8): rules, evaluation, messages, outbox delivery, surfaces."""

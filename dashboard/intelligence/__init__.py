"""Operations intelligence (SPEC section 11): surges, repeat reports, live screens, night mode."""

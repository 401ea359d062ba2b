"""A sync run: which boards changed, each board's one path (fetch -> mirror -> store -> domain), diagnostics, onboarding."""

"""API: Hit -> Answer; the HTTP and command-line shells."""

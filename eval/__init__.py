"""careguide eval: gold sets -> metrics and reports (nothing imports eval)."""

"""careguide guides: catalogue of sources, glossary, guide specs -> cited handouts."""

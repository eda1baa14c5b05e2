"""The hardening tests reuse the API tests' helpers (``conftest_app``: a small library, an
app over it; ``llm_server``: the scripted OpenAI-compatible server), so their folder goes on
the import path here, as pytest puts it there for tests/api itself."""

from __future__ import annotations

import sys
from pathlib import Path

API_TESTS = str(Path(__file__).resolve().parent.parent / "api")
if API_TESTS not in sys.path:
    sys.path.insert(0, API_TESTS)

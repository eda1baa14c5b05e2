"""Helpers for the guide tests (imported explicitly: ``from conftest_guides import ...``)."""

from __future__ import annotations

import importlib.util
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from careguide.api.engine import Engine
from careguide.api.settings import Settings
from careguide.guides.build import BuiltGuide
from careguide.ingest.models import Passage

BROWSER_HELPERS = Path(__file__).resolve().parent.parent / "browser" / "conftest_browser.py"


@dataclass
class GuideLibrary:
    """The sample corpus indexed with the real model, and the bundled guides built on it."""

    settings: Settings
    engine: Engine
    passages: list[Passage]
    guides: dict[str, BuiltGuide]


def browser_helpers() -> ModuleType:
    """tests/browser/conftest_browser.py (Chromium, axe-core), shared rather than copied."""
    loaded = sys.modules.get("conftest_browser")
    if loaded is not None:  # one module, so one open browser, for the whole run
        return loaded
    spec = importlib.util.spec_from_file_location("conftest_browser", BROWSER_HELPERS)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["conftest_browser"] = module
    spec.loader.exec_module(module)
    return module

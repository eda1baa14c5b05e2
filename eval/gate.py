"""The regression gate: an eval's figures against the floors in ``thresholds.yaml``."""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import BaseModel, Field, ValidationError

from careguide.eval.disclosure_check import DisclosureReport
from careguide.eval.models import AUDIENCE_MODE, EvalReport
from careguide.ingest.errors import ConfigError

THRESHOLDS = Path(__file__).with_name("thresholds.yaml")


class Floors(BaseModel):
    """Lowest acceptable figures; a missing one is not checked."""

    recall_at_5: float | None = Field(default=None, ge=0, le=1)
    mrr_at_10: float | None = Field(default=None, ge=0, le=1)
    declined_rate: float | None = Field(default=None, ge=0, le=1)
    disclosure_recall: float | None = Field(default=None, ge=0, le=1)


class Thresholds(BaseModel):
    """The checked-in gate: which files it runs on, and the floors."""

    gold: str = "dev.jsonl"
    disclosures: str = "disclosures_dev.jsonl"
    floors: Floors = Field(default_factory=Floors)


def load_thresholds(path: Path = THRESHOLDS) -> Thresholds:
    try:
        return Thresholds.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")) or {})
    except (OSError, yaml.YAMLError, ValidationError) as error:
        raise ConfigError(
            f"cannot use thresholds file {path} ({str(error).splitlines()[0]}); fix it"
        ) from error


def figures(report: EvalReport, disclosures: DisclosureReport | None) -> dict[str, float]:
    """The gated figures of a run: careguide's retrieval, own-audience declines, disclosures."""
    out: dict[str, float] = {}
    if report.systems:
        out["recall_at_5"] = report.systems[0].recall_at_5
        out["mrr_at_10"] = report.systems[0].mrr_at_10
    own = report.mode(AUDIENCE_MODE) or (report.answers[0] if report.answers else None)
    if own is not None and own.unanswerable:
        out["declined_rate"] = own.declined_rate
    if disclosures is not None:
        out["disclosure_recall"] = disclosures.recall
    return out


def below_floors(
    report: EvalReport, disclosures: DisclosureReport | None, floors: Floors
) -> list[str]:
    """One line per figure under its floor (or not measured); empty when the gate passes."""
    found = figures(report, disclosures)
    failures = []
    for name, floor in floors.model_dump().items():
        if floor is None:
            continue
        value = found.get(name)
        if value is None:
            failures.append(f"{name}: not measured (floor {floor})")
        elif value < floor:
            failures.append(f"{name}: {value:.3f} is below the floor {floor:.3f}")
    return failures

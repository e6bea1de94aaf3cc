"""Income as a percent of the HHS poverty guideline, from the dated table in data/."""

from __future__ import annotations

import json
from datetime import date
from functools import cache
from pathlib import Path


@cache
def _guidelines(data_dir: Path) -> list[dict]:
    raw = json.loads((data_dir / "poverty-guidelines.json").read_text(encoding="utf-8"))
    return sorted(raw["guidelines"], key=lambda g: g["effective"])


def guideline_for(day: date, data_dir: Path) -> dict:
    """The guideline in effect on `day` (each year's takes effect when HHS publishes it), from
    the table in `data_dir` (Settings.data_dir)."""
    table = _guidelines(data_dir)
    current = [g for g in table if date.fromisoformat(g["effective"]) <= day]
    return (current or table)[-1]


def region_for(state: str | None) -> str:
    return {"AK": "alaska", "HI": "hawaii"}.get(state or "", "contiguous")


def poverty_percent(
    income: float, household: int, guideline: dict, region: str = "contiguous"
) -> float:
    """Annual household income as a percent of the poverty guideline for the household size."""
    g = guideline["regions"][region]
    line = g["first_person"] + g["each_additional"] * max(household - 1, 0)
    return 100.0 * income / line

"""Where ``make soak`` keeps its figures: each slow soak test writes what it measured to
``$KIOSK_SOAK_FIGURES/NAME.json``; ``python -m benchmarks --from-soak DIR`` then puts them in
``benchmarks/latest.json`` and ``docs/performance.md``. Without the variable nothing is written."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any


def record(name: str, figures: dict[str, Any]) -> None:
    folder = os.environ.get("KIOSK_SOAK_FIGURES")
    if not folder:
        return
    path = Path(folder)
    path.mkdir(parents=True, exist_ok=True)
    plain = {k: v for k, v in figures.items() if isinstance(v, (int, float, str))}
    (path / f"{name}.json").write_text(json.dumps(plain, ensure_ascii=False, indent=1) + "\n")

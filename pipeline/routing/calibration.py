"""Per-model output ratios calibrated from audited calls, for the router's cost estimate.

The estimate of a segment's output is ``segment_tokens * ratio + 400`` (router.estimate). The
seed's ratio (``RoutePolicy.output_ratio``) is the prior; every answered segment's audit line
(``segment_tokens``, ``completion_tokens`` of the model that answered, written by
``analyze.dispatch``) adds evidence. The prior counts as ``PRIOR_TOKENS`` segment tokens of
evidence, so a few segments move the ratio a little and many move it to what the model does.

The table lives in storage per tenant (``{tenant}/calibration/output-ratios.json``) and is
updated when a job ends. Two jobs ending at once may lose one's update: it is a calibration,
the next job adds its evidence again.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pydantic import Field

from pipeline.errors import NotFound
from pipeline.types import Model
from storage import keys
from storage.base import ObjectStore

PRIOR_TOKENS = 200_000
FIXED_OUTPUT = 400  # the estimate's constant part (router.estimate)


class Observed(Model):
    segments: int = 0
    segment_tokens: int = 0
    completion_tokens: int = 0


class OutputCalibration(Model):
    models: dict[str, Observed] = Field(default_factory=dict)

    def ratio(self, model: str, prior: float) -> float:
        o = self.models.get(model)
        if o is None or o.segments == 0:
            return prior
        variable = max(0, o.completion_tokens - FIXED_OUTPUT * o.segments)
        return (prior * PRIOR_TOKENS + variable) / (PRIOR_TOKENS + o.segment_tokens)

    def ratios(self, prior: float) -> dict[str, float]:
        return {m: round(self.ratio(m, prior), 5) for m in self.models}

    def learn(self, records: Iterable[dict[str, Any]]) -> OutputCalibration:
        """This table plus the answered-segment audit lines among ``records``."""
        models = {m: o.model_copy() for m, o in self.models.items()}
        for r in records:
            seg, out, model = r.get("segment_tokens"), r.get("completion_tokens"), r.get("model")
            if not (isinstance(seg, int) and isinstance(out, int) and isinstance(model, str)) or seg <= 0:
                continue
            o = models.setdefault(model, Observed())
            o.segments += 1
            o.segment_tokens += seg
            o.completion_tokens += out
        return OutputCalibration(models=models)


def table_key(tenant: str) -> str:
    return f"{keys.check_part(tenant, 'tenant')}/calibration/output-ratios.json"


def load(store: ObjectStore, tenant: str) -> OutputCalibration:
    try:
        return OutputCalibration.model_validate_json(store.get(table_key(tenant)))
    except (NotFound, ValueError):
        return OutputCalibration()


def update(store: ObjectStore, tenant: str, records: Iterable[dict[str, Any]]) -> OutputCalibration:
    table = load(store, tenant).learn(records)
    store.put(table_key(tenant), table.model_dump_json().encode())
    return table

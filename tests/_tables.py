"""The result tables of an analysis, by stage, shared by the executor and spool tests."""
from __future__ import annotations

import dataclasses

import pandas as pd


def result_tables(result, stages=("concepts", "framing", "topics")) -> dict[str, pd.DataFrame]:
    """``{"stage.field": DataFrame}`` for every table field of the named stages' results."""
    tables = {}
    for stage in stages:
        obj = getattr(result, stage)
        assert obj is not None, (stage, result.stage_status)
        for f in dataclasses.fields(obj):
            value = getattr(obj, f.name)
            if isinstance(value, pd.DataFrame):
                tables[f"{stage}.{f.name}"] = value
    return tables

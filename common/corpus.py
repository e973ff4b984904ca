"""The labelled language corpus (tests/language/, format in its README): which part a file is
(each file says so itself, `part:`), and what a message's label means for the decision table.
Read by the benchmark and by the recall net, which learns from the development part only."""
from pathlib import Path
from typing import Any, Dict, List, Tuple

import yaml

from common import triage
from common.parse_data import NO, UNSURE, YES

DEVELOPMENT, HELD_OUT, SPEC = "development", "held-out", "spec"
PARTS = (HELD_OUT, DEVELOPMENT, SPEC)
KINDS = ("statements", "answers")
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's: 15 times as fast


def files(folder: Path, part: str) -> List[Path]:
    """The part's files, by the `part:` each declares."""
    return [path for path, _ in _part(folder, part)]


def load(folder: Path, part: str) -> Dict[str, List[Dict[str, Any]]]:
    """The part's statements and answers, from all of its files."""
    data = [d for _, d in _part(folder, part)]
    return {kind: [item for d in data for item in d.get(kind) or []] for kind in KINDS}


def label(value: Any) -> Any:
    """YAML reads an unquoted yes/no as a boolean."""
    return {True: YES, False: NO}.get(value, value) if isinstance(value, bool) else value


def states_emergency(item: Dict[str, Any], question: str = None) -> bool:
    """Whether a labelled message states an emergency: a statement labelled so, or a reply
    whose yes (or not sure) to `question`, with the other facts it affirms (`also`), makes an
    emergency row of the table."""
    if question is None:
        return item["expect"] == "emergency"
    stated = {question: True} if question in triage.BOOLEAN_SLOTS and label(
        item["expect"]) in (YES, UNSURE) else {}
    stated.update({slot: True for slot, value in (item.get("also") or {}).items()
                   if label(value) in (YES, UNSURE)})
    return triage.decide(triage.with_implied(stated)).level == triage.EMERGENCY


def _part(folder: Path, part: str) -> List[Tuple[Path, Dict[str, Any]]]:
    read = ((path, yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER))
            for path in sorted(folder.glob("*.yml")))
    return [(path, data) for path, data in read
            if isinstance(data, dict) and data.get("part") == part]

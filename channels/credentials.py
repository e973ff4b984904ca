"""The channels a server starts with: those in credentials.yml (REST, socketio) always; a
messaging channel only when all of its environment variables are set, so that a missing secret
never crashes start-up."""
from pathlib import Path
from typing import Any, Callable, Dict, Mapping, Optional, Tuple

import yaml

BASE = Path(__file__).resolve().parent.parent / "credentials.yml"
Credentials = Dict[str, Optional[Dict[str, Any]]]

# (credentials key, environment variables it needs, builder from those values)
OPTIONAL_CHANNELS: Tuple[Tuple[str, Tuple[str, ...], Callable[[Mapping[str, str]], Dict]], ...] = ()


def credentials(env: Mapping[str, str]) -> Credentials:
    creds: Credentials = yaml.safe_load(BASE.read_text())
    for key, variables, build in OPTIONAL_CHANNELS:
        if all(env.get(v) for v in variables):
            creds[key] = build(env)
    return creds

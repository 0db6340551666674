"""Team conventions: `.pmtui.toml`, found by walking up from a post-mortem.

    result = load_team(path_of_the_postmortem)     # never raises
    result.config: TeamConfig (defaults where the file says nothing or is bad)
    result.problems: ConfigProblem(path, line, column, field, message, level)
    templates.render(pm, result.config)            # the report in the team's template
    policy.run(pm, result.config, problems=result.problems)   # the team's checklist

Domain code: no Textual, no Rich.
"""

from __future__ import annotations

from pmtui.team.config import FieldDef, IncidentType, Person, RoleDef, Severity, TeamConfig
from pmtui.team.load import FILENAME, ConfigProblem, TeamResult, find_configs, load_team, loads_team

__all__ = [
    "FILENAME", "ConfigProblem", "FieldDef", "IncidentType", "Person", "RoleDef", "Severity", "TeamConfig",
    "TeamResult", "find_configs", "load_team", "loads_team",
]

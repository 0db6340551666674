"""The fishbone diagram: factors grouped by category, bones around a spine."""

from pmtui import fishbone
from pmtui.model import Factor


def _factors():
    return [
        Factor("F1", "Connection pool utilisation not monitored", "monitoring"),
        Factor("F2", "Load tests miss the new query pattern", "testing"),
        Factor("F3", "Second monitoring gap", "monitoring"),
        Factor("F4", "Vendor SLA unclear", "vendor"),
    ]


def test_groups_standard_categories_first_then_custom():
    groups = fishbone.group([*_factors(), Factor("F5", "x", "Alpha"), Factor("F6", "y", "")])
    assert [c for c, _ in groups] == ["monitoring", "testing", "other", "Alpha", "vendor"]
    assert [f.id for f in groups[0][1]] == ["F1", "F3"]


def test_diagram_shows_each_category_with_count_and_head():
    text = fishbone.render(_factors(), "Pool exhausted", width=100)
    assert "MONITORING (2)" in text
    assert "TESTING (1)" in text
    assert "VENDOR (1)" in text
    spine = [line for line in text.splitlines() if fishbone.ARROW in line]
    assert len(spine) == 1 and spine[0].endswith("Pool exhausted")
    # monitoring above the spine, testing below (bones alternate)
    lines = text.splitlines()
    assert lines.index(spine[0]) > next(i for i, line in enumerate(lines) if "MONITORING" in line)
    assert lines.index(spine[0]) < next(i for i, line in enumerate(lines) if "TESTING" in line)


def test_fits_the_width_and_wraps_long_factors():
    text = fishbone.render(_factors(), "Pool exhausted", width=80)
    assert max(len(line) for line in text.splitlines()) <= 80
    assert "monitored" in text  # wrapped onto a second line, not cut


def test_control_characters_made_visible():
    text = fishbone.render([Factor("F1", "evil\x1b[31m red", "monitoring")], "p")
    assert "\x1b" not in text and "\u241b" in text


def test_empty_says_so():
    assert "No contributing factors" in fishbone.render([], "p")

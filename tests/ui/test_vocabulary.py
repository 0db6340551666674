"""One key, one meaning: a key bound in several panes does the same there
(the vocabulary), and the README's table, the `?` screen and the bindings
are one and the same. Panes added later are held to it too."""

from __future__ import annotations

from collections import defaultdict

from pmtui.ui.app import PANES, PmApp, load_pane_class
from pmtui.ui.keys import bindings_of
from pmtui.ui.keytable import END, START, markdown
from pmtui.ui.vocabulary import VOCABULARY, meaning_of


def pane_bindings():
    for info in PANES:
        for binding in bindings_of(load_pane_class(info.name)):
            for key in binding.key.split(","):
                yield info.name, key.strip(), binding


def test_vocabulary_keys_mean_the_same_in_every_pane():
    for pane, key, binding in pane_bindings():
        meaning = meaning_of(key)
        if meaning is None or not meaning.ids:
            continue
        suffix = (binding.id or "").split(".", 1)[-1]
        assert suffix in meaning.ids, (
            f"{pane}: {key!r} is {binding.id} ({binding.description}) but means {meaning.meaning!r} "
            f"everywhere (binding ids *.{'/'.join(meaning.ids)})")


def test_a_key_in_two_panes_is_one_action():
    by_key: dict[str, set[str]] = defaultdict(set)
    for _pane, key, binding in pane_bindings():
        if meaning_of(key) is None:  # the vocabulary's are checked above
            by_key[key].add((binding.id or "").split(".", 1)[-1])
    clashes = {key: ids for key, ids in by_key.items() if len(ids) > 1}
    assert not clashes, (f"one key, several meanings across panes: {clashes} "
                         "(use another key or add it to the vocabulary)")


def test_no_pane_rebinds_an_app_key():
    app_keys = {k.strip() for b in bindings_of(PmApp) for k in b.key.split(",")}
    for pane, key, binding in pane_bindings():
        if key in ("escape", "tab", "enter"):
            continue
        assert key not in app_keys, f"{pane}: {key!r} ({binding.id}) is also an app key"


def test_every_binding_has_an_id_and_a_description():
    for pane, _key, binding in pane_bindings():
        assert binding.id and binding.id.startswith(f"{pane}."), binding
    for binding in bindings_of(PmApp):
        assert binding.id, binding


def test_readme_table_is_the_bindings(repo_root):
    readme = (repo_root / "README.md").read_text(encoding="utf-8")
    assert START in readme and END in readme
    shown = readme[readme.index(START): readme.index(END) + len(END)]
    assert shown == markdown(), "README's keys table is out of date: run python scripts/keys_table.py"


def test_vocabulary_meanings_are_unique():
    keys = [k for m in VOCABULARY for k in m.keys]
    assert len(keys) == len(set(keys))

"""Where user KB folders come from: flags, NEWSGRAPH_KB, newsgraph.toml."""
from pathlib import Path

import pytest

from newsgraph.config import ConfigError, load_settings
from newsgraph.kb import KBError, load_kb


def test_flags_win(monkeypatch, tmp_path):
    monkeypatch.setenv("NEWSGRAPH_KB", "/env/kb")
    assert load_settings([tmp_path]).kb_dirs == [tmp_path]


def test_environment(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NEWSGRAPH_KB", f"/a{__import__('os').pathsep}/b")
    assert load_settings().kb_dirs == [Path("/a"), Path("/b")]


def test_config_file(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NEWSGRAPH_KB", raising=False)
    (tmp_path / "newsgraph.toml").write_text('[newsgraph]\nkb_dirs = ["my-kb"]\nmax_bytes = 1000\n')
    settings = load_settings()
    assert settings.kb_dirs == [Path("newsgraph.toml").parent / "my-kb"]
    assert settings.max_bytes == 1000


def test_broken_config_file(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "newsgraph.toml").write_text("[newsgraph\n")
    with pytest.raises(ConfigError, match="newsgraph.toml"):
        load_settings()


def test_user_entry_overrides_builtin(tmp_path):
    (tmp_path / "over.yaml").write_text(
        "- id: media/tass\n  name: TASS Russian News Agency\n  type: ORG\n  kind: media\n"
        "  state_controlled: true\n  source: analyst override\n")
    kb = load_kb([tmp_path])
    assert kb.get("media/tass").name == "TASS Russian News Agency"
    assert [e.id for e in kb.lookup("TASS Russian News Agency")] == ["media/tass"]


def test_missing_kb_folder(tmp_path):
    with pytest.raises(KBError, match="not a folder"):
        load_kb([tmp_path / "nope"])


def test_duplicate_id_in_one_folder(tmp_path):
    entry = "- id: org/x\n  name: X\n  type: ORG\n  source: s\n"
    (tmp_path / "a.yaml").write_text(entry)
    (tmp_path / "b.yaml").write_text(entry)
    with pytest.raises(KBError, match="already defined"):
        load_kb([tmp_path], builtin=False)


def test_office_dates_checked(tmp_path):
    (tmp_path / "p.yaml").write_text(
        "- id: person/x\n  name: X Y\n  type: PERSON\n  source: s\n"
        "  offices: [{title: Minister, of: X, start: 2024-01-01, end: 2023-01-01, source: s}]\n")
    with pytest.raises(KBError, match="ends before it starts"):
        load_kb([tmp_path], builtin=False)

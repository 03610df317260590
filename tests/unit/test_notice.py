"""NOTICE lists every Python distribution voicebot runs with, under its licence.

The first tests read the real environment: a dependency added without updating NOTICE
(`voicebot licences --update NOTICE`) fails here. Versions are not compared; they move
with every install. The others build small dist-info folders to pin down how the
closure is followed and how a licence is read.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from voicebot.cli import main
from voicebot.errors import ConfigError
from voicebot.licences import (
    BEGIN,
    END,
    Bundled,
    bundled,
    licence_of,
    package_section,
    parse_section,
    runtime_closure,
    update_notice,
)

NOTICE = Path(__file__).resolve().parents[2] / "NOTICE"


def test_every_installed_runtime_distribution_is_listed_under_its_licence():
    listed = parse_section(NOTICE.read_text(encoding="utf-8"))
    wrong = [f"{item.name}: NOTICE says {listed.get(item.name, 'nothing')}, "
             f"the metadata {item.licence}"
             for item in bundled() if listed.get(item.name) != item.licence]
    assert not wrong, "run `voicebot licences --update NOTICE`:\n" + "\n".join(wrong)


def test_the_phoneme_stack_that_makes_voicebot_gpl_is_gpl_3_or_later():
    licences = {item.name: item.licence for item in bundled()}
    for name in ("piper-tts", "phonemizer", "espeakng-loader"):
        assert licences[name] == "GPL-3.0-or-later", name


def test_nothing_in_the_closure_has_an_unknown_licence():
    assert [item.name for item in bundled() if item.licence == "UNKNOWN"] == []


def test_the_command_prints_the_package_list(capsys):
    assert main(["licences"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(BEGIN) and out.rstrip().endswith(END)
    assert "piper-tts" in parse_section(out)


# -- small dist-info folders ------------------------------------------------------

def _dist(site: Path, name: str, *headers: str, files: dict[str, str] | None = None) -> None:
    info = site / f"{name.replace('-', '_')}-1.0.dist-info"
    info.mkdir(parents=True)
    lines = ["Metadata-Version: 2.4", f"Name: {name}", "Version: 1.0", *headers]
    for path, text in (files or {}).items():
        lines.append(f"License-File: {path}")
        (info / "licenses" / path).parent.mkdir(parents=True, exist_ok=True)
        (info / "licenses" / path).write_text(text, encoding="utf-8")
    (info / "METADATA").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _licence(site: Path, name: str) -> str:
    (dist,) = [d for d in runtime_closure("root", [str(site)]) if d.metadata["Name"] == name]
    return licence_of(dist)[0]


def test_the_closure_follows_requested_extras_and_true_markers_only(tmp_path):
    _dist(tmp_path, "root", "Requires-Dist: a", "Requires-Dist: b; extra == 'test'",
          "Requires-Dist: c; python_version < '3'", "Requires-Dist: d[fast]>=1")
    _dist(tmp_path, "a", "Requires-Dist: root")  # a cycle ends
    _dist(tmp_path, "d", "Requires-Dist: e; extra == 'fast'",
          "Requires-Dist: f; extra == 'other'")
    for name in ("b", "c", "e", "f"):
        _dist(tmp_path, name)
    names = [d.metadata["Name"] for d in runtime_closure("root", [str(tmp_path)])]
    assert names == ["a", "d", "e"]


def test_a_requirement_that_is_not_installed_is_an_error(tmp_path):
    _dist(tmp_path, "root", "Requires-Dist: gone")
    with pytest.raises(ConfigError, match="gone"):
        runtime_closure("root", [str(tmp_path)])


MIT_TEXT = "MIT License\n\nCopyright (c) 2026 Someone\n\nPermission is hereby granted, ..."
GPL_TEXT = "                    GNU GENERAL PUBLIC LICENSE\n                       Version 3"


@pytest.mark.parametrize(("headers", "files", "expected"), [
    (["License-Expression: Apache-2.0", "License: MIT"], {}, "Apache-2.0"),
    (["License: MIT License"], {}, "MIT"),
    (["License: 3-Clause BSD License"], {}, "BSD-3-Clause"),
    (["License: GPL-3.0-or-later"], {}, "GPL-3.0-or-later"),
    # A whole licence text in the License field says less than the classifier.
    (["License: " + " ".join(GPL_TEXT.split()),
      "Classifier: License :: OSI Approved :: GNU General Public License v3 or later (GPLv3+)"],
     {}, "GPL-3.0-or-later"),
    (["Classifier: License :: OSI Approved :: BSD License"], {"LICENSE": MIT_TEXT}, "MIT"),
    ([], {"LICENSE": MIT_TEXT}, "MIT"),
    # The GPL text alone does not tell "only" from "or later".
    ([], {"COPYING": GPL_TEXT}, "UNKNOWN"),
    (["License: BSD"], {}, "UNKNOWN"),
    ([], {}, "UNKNOWN"),
])
def test_a_licence_is_read_from_the_first_place_that_tells(tmp_path, headers, files, expected):
    _dist(tmp_path, "root", "Requires-Dist: pkg")
    _dist(tmp_path, "pkg", *headers, files=files)
    assert _licence(tmp_path, "pkg") == expected


def test_a_reviewed_entry_wins_over_vague_metadata(tmp_path):
    _dist(tmp_path, "root", "Requires-Dist: espeakng-loader")
    _dist(tmp_path, "espeakng-loader")
    (dist,) = runtime_closure("root", [str(tmp_path)])
    licence, note = licence_of(dist)
    assert licence == "GPL-3.0-or-later" and "eSpeak NG" in note


def test_the_list_reads_back_and_updates_only_between_its_markers(tmp_path):
    items = [Bundled("a", "1.0", "MIT OR Apache-2.0", "https://a.example"),
             Bundled("long-named-package-beyond-the-column", "2026.10.19.post1",
                     "BSD-3-Clause AND 0BSD AND MIT AND Zlib AND CC0-1.0", ""),
             Bundled("c", "3", "Apache-2.0", "", note="read from the package")]
    section = package_section(items)
    assert parse_section(section) == {item.name: item.licence for item in items}
    notice = tmp_path / "NOTICE"
    notice.write_text(f"head\n\n{BEGIN}\nstale\n{END}\ntail\n", encoding="utf-8")
    assert update_notice(notice, section)
    assert notice.read_text(encoding="utf-8") == f"head\n\n{section}tail\n"
    assert not update_notice(notice, section)

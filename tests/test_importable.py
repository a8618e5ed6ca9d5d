"""Which file is the project's own: an installed package inside the project folder never is."""

from __future__ import annotations

from doctor.project.importable import own_file


def test_a_file_in_a_venv_or_any_site_packages_inside_the_project_is_not_the_projects(tmp_path):
    venv_sdk = tmp_path / "env" / "lib" / "python3.11" / "site-packages" / "openai" / "__init__.py"
    bare_venv = tmp_path / ".venv2" / "Lib" / "openai" / "__init__.py"  # no site-packages in its path
    vendored = tmp_path / "vendor" / "dist-packages" / "openai.py"
    own = tmp_path / "tools" / "openai.py"
    for path in (venv_sdk, bare_venv, vendored, own):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("")
    (tmp_path / ".venv2" / "pyvenv.cfg").write_text("home = /usr/bin\n")
    assert [own_file(p, tmp_path) for p in (venv_sdk, bare_venv, vendored, own)] == [None, None, None,
                                                                                      "tools/openai.py"]
    assert own_file(tmp_path.parent / "elsewhere.py", tmp_path) is None

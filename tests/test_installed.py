"""What a distribution's RECORD says must be on disk for each name it makes importable."""

from __future__ import annotations

from doctor.project.installed import Distribution

RECORD = """\
six.py,sha256=abc,100
pkg/sub/mod.py,sha256=abc,10
pkg/__init__.py,sha256=abc,10
nspkg/part/x.py,sha256=abc,10
..\\outside/evil.py,sha256=abc,10
../escape.py,,
demo-1.0.dist-info/METADATA,sha256=abc,10
demo-1.0.data/scripts/run,,
__pycache__/six.cpython-311.pyc,,
demo.pth,,
stale.pyc,,
bare.py
win\\__init__.py,sha256=abc,1\r
not-an-identifier/x.py,,
"""


def test_record_names_each_importable_module_and_the_file_that_must_exist(tmp_path):
    site = tmp_path / "site-packages"
    info = site / "demo-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "RECORD").write_text(RECORD, newline="")
    modules = Distribution("demo", "1.0", (), info).modules
    assert modules == {"six": "six.py", "pkg": "pkg/__init__.py", "nspkg": "nspkg", "bare": "bare.py",
                       "win": "win/__init__.py"}


def test_a_package_listed_again_keeps_its_init(tmp_path):
    """Whatever order pip wrote, a package's `__init__.py` is what must exist for it."""
    info = tmp_path / "d-1.dist-info"
    info.mkdir()
    (info / "RECORD").write_text("pkg/__init__.py,,\npkg/a.py,,\nmod.py,,\nmod/__init__.py,,\nmod.py,,\n")
    assert Distribution("d", "1", (), info).modules == {"pkg": "pkg/__init__.py", "mod": "mod/__init__.py"}


def test_no_record_means_no_modules(tmp_path):
    info = tmp_path / "d-1.dist-info"
    info.mkdir()
    assert Distribution("d", "1", (), info).modules == {}
